// Process entry for one case of an app suite (preview, deploy, revert, burst,
// scale; see bench/app-bench.ts): runs `runCase` of bench/<suite>.ts in a
// fresh process, so process-wide caches (ETags, comment ids, tarballs, parsed
// YAML, Octokit's throttle queues) start empty for every case.
import { serveIsolated } from "./isolate.js";

serveIsolated<{ suite: string }, unknown>(async (input) => {
  const mod = (await import(`./${input.suite}.js`)) as { runCase(i: unknown): Promise<unknown> };
  return mod.runCase(input);
});
