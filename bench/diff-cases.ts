// The two cases of the diff suite, each run in its own process
// (bench/diff-case.ts) so that memory figures start from a fresh heap.
//   plan   the simulated server seeds the cluster with the workload (in its
//          own process), the tree is mutated, then planEnvironment is timed
//          `runs` times: the first cold (new client, empty YAML parse cache),
//          the others reusing both, as the agent does
//   apply  planEnvironment against an empty cluster (not timed), then
//          applyPlanned is timed; a fresh cluster for every run
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseConfig } from "../src/config/index.js";
import type { EnvironmentConfig } from "../src/config/types.js";
import type { KubeClient } from "../src/cluster/client.js";
import { applyPlanned } from "../src/engine/apply.js";
import { planEnvironment, type PlannedEnvironment } from "../src/engine/plan.js";
import { clearParseCache } from "../src/manifests/cache.js";
import { clientFor } from "../test/support/deploy.js";
import { collectGarbage, stopSampler } from "./measure.js";
import { startProfile } from "./profile.js";
import { summarizeRuns, timed, type RunFigures, type RunsSummary } from "./runs.js";
import { startSim, type SimMode } from "./sim.js";
import { disposeWorkload, ENV_NAME, generateWorkload, mutate, type Mutation, type Workload } from "./workload.js";

export const REPOSITORY = "bench/workload";

/** What a case process is asked to do (plain data: it crosses the IPC channel). */
export interface CaseInput {
  kind: "plan" | "apply";
  n: number;
  seed: number;
  latencyMs: number;
  runs: number;
  mode: SimMode;
  fraction: number;
  coldParse: boolean;
  /** CPU profiles of the last plan run (engine, and sim when in a child). */
  profileDir?: string;
}

export interface CaseFigures extends RunsSummary {
  case: "plan" | "apply (no verify)";
  n: number;
  files: number;
  /** Objects per kind in the tree measured (for plan: after the mutation). */
  kinds: Record<string, number>;
  /** Setup: the server's plan + apply of the seed tree (plan case only). */
  seedMs?: number;
  mutation?: Mutation;
  summary?: { create: number; update: number; delete: number; unchanged: number };
  planErrors?: string[];
  applyFailures?: string[];
}

export async function runCase(input: CaseInput): Promise<CaseFigures> {
  try {
    return input.kind === "plan" ? await planCase(input) : await applyCase(input);
  } finally {
    await stopSampler();
  }
}

const log = (m: string) => process.stderr.write(`[bench] diff: ${m}\n`);

async function planCase(input: CaseInput): Promise<CaseFigures> {
  const { n } = input;
  const sim = await startSim(input.latencyMs, input.mode);
  const w = await generateWorkload(n, input.seed);
  let client: KubeClient | undefined;
  try {
    const env = await loadEnv(w);
    log(`N=${n}: seeding ${n} objects in ${w.files.size} files`);
    const t0 = performance.now();
    await sim.seed({ root: w.root, environment: ENV_NAME, repository: REPOSITORY, revision: "seed" });
    const seedMs = performance.now() - t0;
    const mutation = await mutate(w, input.fraction, input.seed + 1);
    const runs: RunFigures[] = [];
    let last: PlannedEnvironment | undefined;
    for (let r = 0; r < input.runs; r++) {
      // The first run is cold as after a restart: no parsed YAML cached, a new
      // client (TLS handshakes). Later runs reuse both, as the agent does.
      if (r === 0 || input.coldParse) clearParseCache();
      client ??= clientFor(sim.kubeconfig);
      last = undefined;
      collectGarbage();
      const profile = input.profileDir && r === input.runs - 1;
      if (profile) await sim.profileStart();
      const profiler = profile ? await startProfile() : undefined;
      const c = client;
      const { figures, value } = await timed(c, sim, () => plan(c, env, w, "mutated"));
      if (profile) {
        await profiler!.stop(join(input.profileDir!, `plan-${n}-engine.cpuprofile`));
        await sim.profileStop(join(input.profileDir!, `plan-${n}-sim.cpuprofile`));
      }
      runs.push(figures);
      last = value;
      log(`N=${n}: plan run ${r + 1}/${input.runs}: ${Math.round(figures.wallMs)} ms, ${figures.clientRequests} requests`);
    }
    const summary = last!.plan.summary;
    return { ...summarize("plan", n, w, runs), seedMs, mutation, summary, planErrors: last!.plan.errors.map((e) => `${e.reason}: ${e.message}`) };
  } finally {
    client?.close();
    await sim.close();
    await disposeWorkload(w);
  }
}

async function applyCase(input: CaseInput): Promise<CaseFigures> {
  const { n } = input;
  const w = await generateWorkload(n, input.seed);
  const runs: RunFigures[] = [];
  const failures: string[] = [];
  try {
    const env = await loadEnv(w);
    for (let r = 0; r < input.runs; r++) {
      const sim = await startSim(input.latencyMs, input.mode);
      const client = clientFor(sim.kubeconfig);
      try {
        const planned = await plan(client, env, w, "seed", false);
        const { figures, value } = await timed(client, sim, () => applyPlanned(client, planned, { force: false, prune: env.prune, repository: REPOSITORY, environment: env.name, revision: "seed" }));
        failures.push(...value.failed.map((f) => f.message));
        runs.push(figures);
        log(`N=${n}: apply run ${r + 1}/${input.runs}: ${Math.round(figures.wallMs)} ms, ${figures.clientRequests} requests`);
      } finally {
        client.close();
        await sim.close();
      }
    }
    return { ...summarize("apply (no verify)", n, w, runs), applyFailures: [...new Set(failures)] };
  } finally {
    await disposeWorkload(w);
  }
}

function summarize(kind: CaseFigures["case"], n: number, w: Workload, runs: RunFigures[]): CaseFigures {
  return { case: kind, n, files: w.files.size, kinds: w.counts, ...summarizeRuns(runs) };
}

async function loadEnv(w: Workload): Promise<EnvironmentConfig> {
  const config = parseConfig(await readFile(join(w.root, ".github/converge.yml"), "utf8"));
  return config.environments.find((e) => e.name === ENV_NAME)!;
}

async function plan(client: KubeClient, env: EnvironmentConfig, w: Workload, revision: string, strict = true): Promise<PlannedEnvironment> {
  const planned = await planEnvironment({ env, root: w.root, repository: REPOSITORY, revision, client });
  if (strict && planned.plan.errors.length) throw new Error(`bench plan has errors: ${planned.plan.errors.slice(0, 3).map((e) => e.message).join("; ")}`);
  return planned;
}
