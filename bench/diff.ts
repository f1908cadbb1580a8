// Suite "diff": how long a plan (the PR preview's diff) takes, how many
// Kubernetes requests it makes and how much memory it needs, for 100 to 5,000
// objects; and the apply of a whole tree into an empty cluster.
//
//   plan   seed the cluster with the workload (plan + applyPlanned, like a
//          deploy), mutate 2% of the tree, then time planEnvironment on it
//          `runs` times with one client (as the agent keeps one per cluster)
//   apply  planEnvironment against an empty cluster (not timed), then time
//          applyPlanned; a fresh cluster for every run
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseConfig } from "../src/config/index.js";
import type { EnvironmentConfig } from "../src/config/types.js";
import type { KubeClient, RequestStats } from "../src/cluster/client.js";
import { applyPlanned } from "../src/engine/apply.js";
import { planEnvironment, type PlannedEnvironment } from "../src/engine/plan.js";
import { clearParseCache } from "../src/manifests/cache.js";
import { clientFor } from "../test/support/deploy.js";
import { collectGarbage, measure, median, type Measured } from "./measure.js";
import { startSim, type SimHandle, type SimMode } from "./sim.js";
import type { BenchOptions, Cell, Suite, SuiteResult } from "./types.js";
import { describeCounts, sortCounts } from "./verbs.js";
import { disposeWorkload, ENV_NAME, generateWorkload, mutate, type Mutation, type Workload } from "./workload.js";

const REPOSITORY = "bench/workload";
const COLUMNS = ["case", "N", "wall ms (median)", "cold ms", "k8s requests", "requests/object", "peak RSS MiB", "RSS delta MiB"];

export interface RunFigures {
  wallMs: number;
  engineCpuMs: number;
  simCpuMs?: number;
  clientRequests: number;
  simRequests: number;
  byVerb: Record<string, number>;
  clientByMethod: Record<string, number>;
  baselineRssMiB: number;
  peakRssMiB: number;
  deltaRssMiB: number;
  rssSamples: number;
}

export interface CaseFigures {
  case: "plan" | "apply (no verify)";
  n: number;
  files: number;
  kinds: Record<string, number>;
  runs: RunFigures[];
  medianWallMs: number;
  coldWallMs: number;
  requests: number;
  requestsAgree: boolean;
  peakRssMiB: number;
  deltaRssMiB: number;
  /** Setup: plan + apply of the seed tree (plan case only). */
  seedMs?: number;
  mutation?: Mutation;
  summary?: { create: number; update: number; delete: number; unchanged: number };
  planErrors?: string[];
  applyFailures?: string[];
}

interface Ctx {
  opts: BenchOptions;
  mode: SimMode;
  fraction: number;
  coldParse: boolean;
}

export const suite: Suite = {
  name: "diff",
  description: "planEnvironment (PR preview diff) over a seeded cluster at 100-5,000 objects; applyPlanned into an empty cluster",
  run,
};

async function run(opts: BenchOptions): Promise<SuiteResult> {
  const sizes = opts.sizes ?? [100, 1_000, 5_000];
  const applySizes = numbers(opts.flags["apply-sizes"]) ?? sizes.filter((n) => n <= 1_000);
  const ctx: Ctx = {
    opts,
    mode: opts.flags.sim === "inprocess" ? "inprocess" : "child",
    fraction: opts.flags.fraction && opts.flags.fraction !== true ? Number(opts.flags.fraction) : 0.02,
    coldParse: opts.flags["cold-parse"] === true,
  };
  const cases: CaseFigures[] = [];
  for (const n of sizes) {
    collectGarbage();
    cases.push(await planCase(ctx, n));
  }
  for (const n of applySizes) {
    collectGarbage();
    cases.push(await applyCase(ctx, n));
  }
  const label = (c: CaseFigures) => (c.case === "plan" ? `plan (${pct(ctx.fraction)} changed)` : c.case);
  const rows: Cell[][] = cases.map((c) => [label(c), c.n, c.medianWallMs, c.coldWallMs, c.requests, c.requests / c.n, c.peakRssMiB, c.deltaRssMiB]);
  const notes = [...growthNotes(cases), ...cases.map(caseNote)];
  notes.push(
    `sim: ${ctx.mode === "child" ? "separate process (RSS and engine CPU are the engine's alone)" : "in this process (RSS and CPU include the server)"}; ` +
      `latency ${opts.latencyMs} ms per request; ${opts.runs} runs per case, median reported, cold = first run; ` +
      `YAML parse cache ${ctx.coldParse ? "cleared before every run" : "kept between runs (as in the agent)"}.`,
  );
  return {
    title: `diff: plan and apply, seed ${opts.seed}, latency ${opts.latencyMs} ms`,
    columns: COLUMNS,
    rows,
    notes,
    json: { settings: { sizes, applySizes, fraction: ctx.fraction, sim: ctx.mode, coldParse: ctx.coldParse }, cases, growth: growth(cases) },
  };
}

async function planCase(ctx: Ctx, n: number): Promise<CaseFigures> {
  const { opts } = ctx;
  const sim = await startSim(opts.latencyMs, ctx.mode);
  const w = await generateWorkload(n, opts.seed);
  const env = await loadEnv(w);
  const client = clientFor(sim.kubeconfig);
  try {
    opts.log(`diff: N=${n}: seeding ${n} objects in ${w.files.size} files`);
    const t0 = performance.now();
    const seeded = await plan(client, env, w, "seed");
    await apply(client, env, seeded, "seed");
    const seedMs = performance.now() - t0;
    const mutation = await mutate(w, ctx.fraction, opts.seed + 1);
    const runs: RunFigures[] = [];
    let last: PlannedEnvironment | undefined;
    for (let r = 0; r < opts.runs; r++) {
      if (ctx.coldParse) clearParseCache();
      last = undefined;
      const { figures, value } = await timed(client, sim, () => plan(client, env, w, "mutated"));
      runs.push(figures);
      last = value;
      opts.log(`diff: N=${n}: plan run ${r + 1}/${opts.runs}: ${Math.round(figures.wallMs)} ms, ${figures.clientRequests} requests`);
    }
    const summary = last!.plan.summary;
    return { ...summarize("plan", n, w, runs), seedMs, mutation, summary, planErrors: last!.plan.errors.map((e) => `${e.reason}: ${e.message}`) };
  } finally {
    client.close();
    await sim.close();
    await disposeWorkload(w);
  }
}

async function applyCase(ctx: Ctx, n: number): Promise<CaseFigures> {
  const { opts } = ctx;
  const w = await generateWorkload(n, opts.seed);
  const env = await loadEnv(w);
  const runs: RunFigures[] = [];
  const failures: string[] = [];
  try {
    for (let r = 0; r < opts.runs; r++) {
      const sim = await startSim(opts.latencyMs, ctx.mode);
      const client = clientFor(sim.kubeconfig);
      try {
        const planned = await plan(client, env, w, "seed", false);
        const { figures, value } = await timed(client, sim, () => applyPlanned(client, planned, { force: false, prune: env.prune, repository: REPOSITORY, environment: env.name, revision: "seed" }));
        failures.push(...value.failed.map((f) => f.message));
        runs.push(figures);
        opts.log(`diff: N=${n}: apply run ${r + 1}/${opts.runs}: ${Math.round(figures.wallMs)} ms, ${figures.clientRequests} requests`);
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

/** One measured run: the client's counters and the server's log, both reset/diffed around it. */
async function timed<T>(client: KubeClient, sim: SimHandle, fn: () => Promise<T>): Promise<{ figures: RunFigures; value: T }> {
  await sim.reset();
  const before = snapshot(client.stats);
  const simBefore = await sim.stats();
  const m: Measured<T> = await measure(fn);
  const simAfter = await sim.stats();
  const after = snapshot(client.stats);
  const clientByMethod: Record<string, number> = {};
  for (const [k, v] of Object.entries(after.byVerb)) if (v - (before.byVerb[k] ?? 0)) clientByMethod[k] = v - (before.byVerb[k] ?? 0);
  return {
    value: m.value,
    figures: {
      wallMs: m.wallMs,
      engineCpuMs: m.cpuMs,
      simCpuMs: simAfter.cpuMs !== undefined && simBefore.cpuMs !== undefined ? simAfter.cpuMs - simBefore.cpuMs : undefined,
      clientRequests: after.total - before.total,
      simRequests: simAfter.requests,
      byVerb: simAfter.byVerb,
      clientByMethod: sortCounts(clientByMethod),
      baselineRssMiB: m.baselineRssMiB,
      peakRssMiB: m.peakRssMiB,
      deltaRssMiB: m.deltaRssMiB,
      rssSamples: m.samples,
    },
  };
}

function summarize(kind: CaseFigures["case"], n: number, w: Workload, runs: RunFigures[]): CaseFigures {
  const mid = median(runs.map((r) => r.wallMs));
  const medianRun = runs.find((r) => r.wallMs === mid) ?? runs[0]!;
  return {
    case: kind,
    n,
    files: w.files.size,
    kinds: w.counts,
    runs,
    medianWallMs: mid,
    coldWallMs: runs[0]!.wallMs,
    requests: medianRun.clientRequests,
    requestsAgree: runs.every((r) => r.clientRequests === r.simRequests),
    // The worst run: a peak is a capacity figure.
    peakRssMiB: Math.max(...runs.map((r) => r.peakRssMiB)),
    deltaRssMiB: Math.max(...runs.map((r) => r.deltaRssMiB)),
  };
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

async function apply(client: KubeClient, env: EnvironmentConfig, planned: PlannedEnvironment, revision: string): Promise<void> {
  const result = await applyPlanned(client, planned, { force: false, prune: env.prune, repository: REPOSITORY, environment: env.name, revision });
  if (result.failed.length) throw new Error(`bench seed apply failed: ${result.failed.slice(0, 3).map((f) => f.message).join("; ")}`);
}

function snapshot(s: RequestStats): { total: number; byVerb: Record<string, number> } {
  return { total: s.total, byVerb: { ...s.byVerb } };
}

export function growth(cases: CaseFigures[]): { from: number; to: number; objects: number; wall: number; rssDelta: number; requests: number } | undefined {
  const plans = cases.filter((c) => c.case === "plan").sort((a, b) => a.n - b.n);
  const from = plans.find((c) => c.n === 1_000) ?? plans[plans.length - 2];
  const to = plans.find((c) => c.n === 5_000) ?? plans[plans.length - 1];
  if (!from || !to || from === to) return undefined;
  return { from: from.n, to: to.n, objects: to.n / from.n, wall: to.medianWallMs / from.medianWallMs, rssDelta: to.deltaRssMiB / from.deltaRssMiB, requests: to.requests / from.requests };
}

function growthNotes(cases: CaseFigures[]): string[] {
  const g = growth(cases);
  if (!g) return [];
  const x = (v: number) => `x${v.toFixed(2)}`;
  return [`growth ${g.from.toLocaleString("en-US")} -> ${g.to.toLocaleString("en-US")} objects (${x(g.objects)}): wall ${x(g.wall)}, RSS delta ${x(g.rssDelta)}, requests ${x(g.requests)} (${x(g.objects)} is linear)`];
}

function caseNote(c: CaseFigures): string {
  const m = c.runs.find((r) => r.wallMs === c.medianWallMs) ?? c.runs[0]!;
  const cpu = `engine CPU ${Math.round(m.engineCpuMs)} ms${m.simCpuMs !== undefined ? `, sim CPU ${Math.round(m.simCpuMs)} ms` : ""}`;
  const agree = c.requestsAgree ? "client and sim agree" : `client ${m.clientRequests} vs sim ${m.simRequests}: DISAGREE`;
  const parts = [`${c.case} N=${c.n}: ${describeCounts(m.byVerb)} (${agree}); ${cpu}`];
  if (c.summary) {
    const s = c.summary;
    const e = c.mutation?.expected;
    const ok = e && e.create === s.create && e.update === s.update && e.delete === s.delete ? "as expected" : `EXPECTED ${e?.create}/${e?.update}/${e?.delete}`;
    parts.push(`plan ${s.create} create, ${s.update} update, ${s.delete} delete, ${s.unchanged} unchanged (${ok})`);
  }
  if (c.seedMs !== undefined) parts.push(`seed ${(c.seedMs / 1000).toFixed(1)} s`);
  if (c.planErrors?.length) parts.push(`${c.planErrors.length} plan errors: ${c.planErrors[0]}`);
  if (c.applyFailures?.length) parts.push(`${c.applyFailures.length} apply failures: ${c.applyFailures[0]}`);
  return parts.join("; ");
}

function numbers(v: string | true | undefined): number[] | undefined {
  if (v === undefined || v === true) return undefined;
  return v.split(",").filter(Boolean).map((s) => Number(s.replace(/_/g, "")));
}

function pct(f: number): string {
  return `${+(f * 100).toFixed(2)}%`;
}
