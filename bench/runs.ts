// One measured run against the simulated API server, and the summary of
// repeated runs. Any suite that drives the engine through a KubeClient can
// use it: wall, CPU on both sides, requests counted by the client and by the
// server (they must agree), and memory.
import type { KubeClient, RequestStats } from "../src/cluster/client.js";
import { measure, median } from "./measure.js";
import type { SimHandle } from "./sim.js";
import { sortCounts } from "./verbs.js";

export interface RunFigures {
  wallMs: number;
  /** CPU of the benchmark process: the engine and its HTTP client. */
  engineCpuMs: number;
  /** CPU of the simulated server (child mode only). */
  simCpuMs?: number;
  /** Counted by KubeClient.stats. */
  clientRequests: number;
  /** Logged by the server. */
  simRequests: number;
  /** The server's log by Kubernetes verb (get, list, apply (dry-run)…). */
  byVerb: Record<string, number>;
  /** KubeClient.stats.byVerb (HTTP methods). */
  clientByMethod: Record<string, number>;
  baselineRssMiB: number;
  peakRssMiB: number;
  deltaRssMiB: number;
  rssSamples: number;
}

export interface RunsSummary {
  runs: RunFigures[];
  medianWallMs: number;
  /** The first run. */
  coldWallMs: number;
  /** Of the median run (requests do not vary between runs of a deterministic workload). */
  requests: number;
  requestsAgree: boolean;
  /** The largest over the runs: a peak is a capacity figure. */
  peakRssMiB: number;
  deltaRssMiB: number;
}

/** Runs fn once, measured, with the client's counters and the server's log diffed around it. */
export async function timed<T>(client: KubeClient, sim: SimHandle, fn: () => Promise<T>): Promise<{ figures: RunFigures; value: T }> {
  await sim.reset();
  const before = snapshot(client.stats);
  const simBefore = await sim.stats();
  const m = await measure(fn);
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

/** The run at the (lower) middle by wall time. */
export function medianRun(runs: RunFigures[]): RunFigures {
  const sorted = [...runs].sort((a, b) => a.wallMs - b.wallMs);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export function summarizeRuns(runs: RunFigures[]): RunsSummary {
  return {
    runs,
    medianWallMs: median(runs.map((r) => r.wallMs)),
    coldWallMs: runs[0]!.wallMs,
    requests: medianRun(runs).clientRequests,
    requestsAgree: runs.every((r) => r.clientRequests === r.simRequests),
    peakRssMiB: Math.max(...runs.map((r) => r.peakRssMiB)),
    deltaRssMiB: Math.max(...runs.map((r) => r.deltaRssMiB)),
  };
}

function snapshot(s: RequestStats): { total: number; byVerb: Record<string, number> } {
  return { total: s.total, byVerb: { ...s.byVerb } };
}
