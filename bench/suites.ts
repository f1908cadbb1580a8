// The suite registry: `npm run bench` runs these in order; `--only a,b` picks.
// To add one, write bench/<name>.ts exporting `suite: Suite` (bench/types.ts)
// and list it here.
import { suite as diff } from "./diff.js";
import type { Suite } from "./types.js";

export const SUITES: Suite[] = [diff];
