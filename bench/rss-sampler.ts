// Worker thread: samples the process's RSS (process-wide, all threads) every
// `intervalMs` and keeps the peak in shared memory. A worker keeps sampling
// while the main thread is busy in synchronous work (YAML parsing, diffing),
// which a setInterval on the main thread would miss.
import { workerData } from "node:worker_threads";

const cells = new Int32Array(workerData.buffer as SharedArrayBuffer); // [0] peak KiB, [1] samples
setInterval(() => {
  const kib = Math.round(process.memoryUsage.rss() / 1024);
  if (kib > Atomics.load(cells, 0)) Atomics.store(cells, 0, kib);
  Atomics.add(cells, 1, 1);
}, workerData.intervalMs as number);
