// Child-process entry: runs the simulated Kubernetes API server on its own,
// so the benchmark process's RSS and CPU are the engine's (client included)
// and not the server's, and the server gets a core of its own as a real one
// would. Talks to bench/sim.ts over the fork IPC channel.
import { startKubeSim } from "../test/support/kube/index.js";
import { countVerbs } from "./verbs.js";
import type { SimMessage, SimReply } from "./sim.js";

const latencyMs = Number(process.argv[2] ?? 0);
const sim = await startKubeSim({ latencyMs });
const send = (m: SimReply) => process.send!(m);

process.on("disconnect", () => process.exit(0));
process.on("message", (m: SimMessage) => {
  void (async () => {
    if (m.op === "stats") {
      const cpu = process.cpuUsage();
      send({ id: m.id, op: "stats", stats: { requests: sim.requests.length, byVerb: countVerbs(sim.requests), cpuMs: (cpu.user + cpu.system) / 1000, rssMiB: process.memoryUsage.rss() / 2 ** 20 } });
    } else if (m.op === "reset") {
      sim.resetRequests();
      send({ id: m.id, op: "reset" });
    } else if (m.op === "close") {
      await sim.close();
      send({ id: m.id, op: "close" });
      process.disconnect();
    }
  })();
});
send({ id: 0, op: "ready", kubeconfig: sim.kubeconfig() });
