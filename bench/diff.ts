// Suite "diff": how long a plan (the PR preview's diff) takes, how many
// Kubernetes requests it makes and how much memory it needs, for 100 to 5,000
// objects; and the apply of a whole tree into an empty cluster. The cases are
// in bench/diff-cases.ts; each runs in a fresh process unless --isolate=false.
//
// Flags: --sim child|inprocess, --fraction 0.02, --apply-sizes 100,1000,
// --cold-parse (clear the parse cache before every run), --profile DIR,
// --isolate=false (run the cases in this process).
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { runCase, type CaseFigures, type CaseInput } from "./diff-cases.js";
import { runIsolated } from "./isolate.js";
import { medianRun } from "./runs.js";
import type { BenchOptions, Cell, Suite, SuiteResult } from "./types.js";
import { describeCounts } from "./verbs.js";

const COLUMNS = ["case", "N", "wall ms (median)", "cold ms", "k8s requests", "requests/object", "peak RSS MiB", "RSS delta MiB"];

export const suite: Suite = {
  name: "diff",
  description: "planEnvironment (PR preview diff) over a seeded cluster at 100-5,000 objects; applyPlanned into an empty cluster",
  run,
};

async function run(opts: BenchOptions): Promise<SuiteResult> {
  const { flags } = opts;
  const sizes = opts.sizes ?? [100, 1_000, 5_000];
  const applySizes = numbers(flags["apply-sizes"]) ?? sizes.filter((n) => n <= 1_000);
  const isolate = flags.isolate !== "false";
  const base: Omit<CaseInput, "kind" | "n"> = {
    seed: opts.seed,
    latencyMs: opts.latencyMs,
    runs: opts.runs,
    mode: flags.sim === "inprocess" ? "inprocess" : "child",
    fraction: typeof flags.fraction === "string" ? Number(flags.fraction) : 0.02,
    coldParse: flags["cold-parse"] === true || flags["cold-parse"] === "true",
    profileDir: typeof flags.profile === "string" ? resolve(flags.profile) : undefined,
  };
  if (!(base.fraction > 0 && base.fraction <= 1)) throw new Error("--fraction needs a number in (0, 1]");
  if (base.profileDir) await mkdir(base.profileDir, { recursive: true });
  const inputs: CaseInput[] = [...sizes.map((n) => ({ ...base, kind: "plan" as const, n })), ...applySizes.map((n) => ({ ...base, kind: "apply" as const, n }))];
  const cases: CaseFigures[] = [];
  for (const input of inputs) {
    cases.push(isolate ? await runIsolated<CaseInput, CaseFigures>(new URL("./diff-case.js", import.meta.url), input) : await runCase(input));
  }

  const label = (c: CaseFigures) => (c.case === "plan" ? `plan (${pct(base.fraction)} changed)` : c.case);
  const r1 = (x: number) => Math.round(x * 10) / 10;
  const rows: Cell[][] = cases.map((c) => [label(c), c.n, Math.round(c.medianWallMs), Math.round(c.coldWallMs), c.requests, Math.round((c.requests / c.n) * 100) / 100, r1(c.peakRssMiB), r1(c.deltaRssMiB)]);
  const notes = [...growthNotes(cases), ...cases.map(caseNote)];
  notes.push(
    `sim: ${base.mode === "child" ? "own process (engine CPU and RSS exclude it; it also does the seeding)" : "in the case's process (CPU and RSS include it)"}; ` +
      `latency ${opts.latencyMs} ms per request; ${isolate ? "each case in a fresh process" : "cases share this process"}; ` +
      `${opts.runs} runs per case, median reported; cold = first run (new client, empty YAML parse cache)` +
      `${base.coldParse ? "; parse cache cleared before every run (--cold-parse)" : ", later runs reuse both as the agent does"}; RSS = largest over the runs.`,
  );
  return {
    title: `diff: plan and apply, seed ${opts.seed}, latency ${opts.latencyMs} ms`,
    columns: COLUMNS,
    rows,
    notes,
    json: { settings: { sizes, applySizes, isolate, ...base }, cases, growth: growth(cases) },
  };
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
  const m = medianRun(c.runs);
  const cpu = m.simCpuMs !== undefined ? `engine CPU ${Math.round(m.engineCpuMs)} ms, sim CPU ${Math.round(m.simCpuMs)} ms` : `CPU ${Math.round(m.engineCpuMs)} ms (engine and sim, one process)`;
  const agree = c.requestsAgree ? "client and sim agree" : `client ${m.clientRequests} vs sim ${m.simRequests}: DISAGREE`;
  const walls = c.runs.map((r) => Math.round(r.wallMs)).join("/");
  const parts = [`${c.case} N=${c.n}: runs ${walls} ms; ${describeCounts(m.byVerb)} (${agree}); ${cpu}`];
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
