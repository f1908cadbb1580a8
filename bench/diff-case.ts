// Process entry for one diff-suite case (see bench/isolate.ts).
import { runCase, type CaseFigures, type CaseInput } from "./diff-cases.js";
import { serveIsolated } from "./isolate.js";

serveIsolated<CaseInput, CaseFigures>(runCase);
