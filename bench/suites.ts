// The suite registry: `npm run bench` runs these in order; `--only a,b` picks.
// To add one, write bench/<name>.ts exporting `suite: Suite` (bench/types.ts)
// and list it here.
import { suite as diff } from "./diff.js";
import { suite as preview } from "./preview.js";
import { suite as deploy } from "./deploy.js";
import { suite as revert } from "./revert.js";
import { suite as burst } from "./burst.js";
import { suite as scale } from "./scale.js";
import type { Suite } from "./types.js";

export const SUITES: Suite[] = [diff, preview, deploy, revert, burst, scale];
