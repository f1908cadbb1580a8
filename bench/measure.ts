// Wall time, CPU time and memory of one async operation. Peak RSS comes from
// a sampler thread (bench/rss-sampler.ts, every 10 ms) plus a last sample at
// the end; the baseline is the RSS just before, after a full GC when the
// process runs with --expose-gc (npm run bench does).
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";

export const MiB = 2 ** 20;

export interface Measured<T> {
  value: T;
  wallMs: number;
  /** CPU of this process (user + system, every thread) during the operation. */
  cpuMs: number;
  baselineRssMiB: number;
  peakRssMiB: number;
  deltaRssMiB: number;
  samples: number;
}

let sampler: { worker: Worker; cells: Int32Array } | undefined;

function startSampler(intervalMs: number): { worker: Worker; cells: Int32Array } {
  if (sampler) return sampler;
  const buffer = new SharedArrayBuffer(8);
  const worker = new Worker(new URL("./rss-sampler.js", import.meta.url), { workerData: { buffer, intervalMs } });
  worker.unref();
  sampler = { worker, cells: new Int32Array(buffer) };
  return sampler;
}

export async function stopSampler(): Promise<void> {
  await sampler?.worker.terminate();
  sampler = undefined;
}

export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export function hasGc(): boolean {
  return typeof (globalThis as { gc?: unknown }).gc === "function";
}

export async function measure<T>(fn: () => Promise<T>, intervalMs = 10): Promise<Measured<T>> {
  const s = startSampler(intervalMs);
  collectGarbage();
  const baseline = process.memoryUsage.rss();
  Atomics.store(s.cells, 0, Math.round(baseline / 1024));
  Atomics.store(s.cells, 1, 0);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const peak = Math.max(Atomics.load(s.cells, 0) * 1024, process.memoryUsage.rss());
  return {
    value,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    baselineRssMiB: baseline / MiB,
    peakRssMiB: peak / MiB,
    deltaRssMiB: (peak - baseline) / MiB,
    samples: Atomics.load(s.cells, 1),
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
