// `npm run bench`: runs the registered suites, prints one aligned table per
// suite on stdout (progress on stderr), and writes bench/results.json with
// the machine, the settings and every figure.
//
//   --only diff[,other]   suites to run (default: all)
//   --sizes 100,1000      object counts (default: each suite's own)
//   --seed 42             workload PRNG seed
//   --latency 3           ms the simulated API server adds to every request
//   --runs 3              repetitions per case (median reported; the first is the cold run)
//   --out PATH            results file (default bench/results.json)
//   any other --flag[=value] is passed to the suites (e.g. diff's --sim inprocess, --cold-parse,
//   --fraction 0.02, --apply-sizes 100,1000)
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { hasGc, stopSampler } from "./measure.js";
import { SUITES } from "./suites.js";
import { formatTable } from "./table.js";
import type { BenchOptions } from "./types.js";

// dist/bench/run.js -> the project root
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export function parseFlags(argv: string[]): Record<string, string | true> {
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) throw new Error(`unexpected argument "${a}" (flags look like --name value)`);
    const eq = a.indexOf("=");
    if (eq > 0) flags[a.slice(2, eq)] = a.slice(eq + 1);
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith("--")) flags[a.slice(2)] = argv[++i]!;
    else flags[a.slice(2)] = true;
  }
  return flags;
}

function num(flags: Record<string, string | true>, name: string, fallback: number): number {
  const v = flags[name];
  if (v === undefined) return fallback;
  const n = Number(String(v).replace(/_/g, ""));
  if (v === true || !Number.isFinite(n) || n < 0) throw new Error(`--${name} needs a non-negative number`);
  return n;
}

function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model,
    totalMemoryMiB: Math.round(os.totalmem() / 2 ** 20),
    gcExposed: hasGc(),
    // Other work on the machine skews wall times: say how busy it was.
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2));
  if (flags.help) {
    const lines = readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n");
    const header = lines.slice(0, lines.findIndex((l) => !l.startsWith("//")));
    console.log(header.map((l) => l.slice(3)).join("\n"));
    console.log(`suites: ${SUITES.map((s) => `${s.name} (${s.description})`).join("; ")}`);
    return 0;
  }
  const only = typeof flags.only === "string" ? flags.only.split(",") : undefined;
  const unknown = only?.filter((n) => !SUITES.some((s) => s.name === n)) ?? [];
  if (unknown.length) throw new Error(`unknown suite(s) ${unknown.join(", ")}; known: ${SUITES.map((s) => s.name).join(", ")}`);
  const suites = SUITES.filter((s) => !only || only.includes(s.name));
  const opts: BenchOptions = {
    seed: num(flags, "seed", 42),
    latencyMs: num(flags, "latency", 3),
    runs: Math.max(1, num(flags, "runs", 3)),
    sizes: typeof flags.sizes === "string" ? flags.sizes.split(",").filter(Boolean).map((s) => Number(s.replace(/_/g, ""))) : undefined,
    flags,
    log: (m) => process.stderr.write(`[bench] ${m}\n`),
  };
  if (opts.sizes?.some((n) => !Number.isInteger(n) || n < 10)) throw new Error("--sizes needs integers of at least 10, comma-separated");
  if (!hasGc()) opts.log("warning: run with node --expose-gc (npm run bench does) for stable memory baselines");

  const out = resolve(typeof flags.out === "string" ? flags.out : join(ROOT, "bench", "results.json"));
  // Keep other suites' earlier results: `--only x` refreshes x alone.
  const previous = existsSync(out) ? (JSON.parse(readFileSync(out, "utf8")) as { suites?: Record<string, unknown> }) : {};
  const results: Record<string, unknown> = { ...(previous.suites ?? {}) };
  const settings = { seed: opts.seed, latencyMs: opts.latencyMs, runs: opts.runs, sizes: opts.sizes, argv: process.argv.slice(2) };
  let failed = 0;
  for (const s of suites) {
    const started = Date.now();
    const loadBefore = os.loadavg()[0]!;
    opts.log(`suite ${s.name}: ${s.description}`);
    try {
      const r = await s.run(opts);
      const seconds = (Date.now() - started) / 1000;
      const load = `load average (1 min) ${loadBefore.toFixed(2)} before, ${os.loadavg()[0]!.toFixed(2)} after, on ${os.cpus().length} CPUs`;
      console.log(`${formatTable(r)}\n(${s.name}: ${seconds.toFixed(1)} s; ${load})\n`);
      results[s.name] = { date: new Date(started).toISOString(), seconds, machine: machine(), settings, title: r.title, columns: r.columns, rows: r.rows, notes: r.notes, figures: r.json };
    } catch (err) {
      failed++;
      console.error(`suite ${s.name} failed: ${(err as Error).stack ?? err}`);
    }
  }
  await stopSampler();
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), machine: machine(), settings, suites: results }, null, 2)}\n`);
  opts.log(`results written to ${out}`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`bench: ${(err as Error).message}`);
    process.exit(2);
  },
);
