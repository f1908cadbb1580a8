// Child-process entry: runs the simulated Kubernetes API server on its own,
// so the benchmark process's RSS and CPU are the engine's (client included)
// and not the server's, and the server gets a core of its own as a real one
// would. Talks to bench/sim.ts over the fork IPC channel.
import { seedEnvironment } from "../test/support/deploy.js";
import { startKubeSim } from "../test/support/kube/index.js";
import { startProfile, type Profiler } from "./profile.js";
import { countVerbs } from "./verbs.js";
import type { SimMessage, SimReply } from "./sim.js";

const latencyMs = Number(process.argv[2] ?? 0);
const sim = await startKubeSim({ latencyMs });
const send = (m: SimReply) => process.send!(m);
let profiler: Profiler | undefined;

process.on("disconnect", () => process.exit(0));
process.on("message", (m: SimMessage) => {
  void (async () => {
    if (m.op === "stats") {
      const cpu = process.cpuUsage();
      send({ id: m.id, op: "stats", stats: { requests: sim.requests.length, byVerb: countVerbs(sim.requests), cpuMs: (cpu.user + cpu.system) / 1000, rssMiB: process.memoryUsage.rss() / 2 ** 20 } });
    } else if (m.op === "reset") {
      sim.resetRequests();
      send({ id: m.id, op: "reset" });
    } else if (m.op === "profile-start") {
      profiler = await startProfile();
      send({ id: m.id, op: m.op });
    } else if (m.op === "profile-stop") {
      await profiler?.stop(m.file);
      profiler = undefined;
      send({ id: m.id, op: m.op });
    } else if (m.op === "seed") {
      const { root, environment, repository, revision } = m.seed;
      const error = await seedEnvironment(sim.kubeconfig(), root, environment, repository, revision).then(
        () => undefined,
        (err: Error) => err.message,
      );
      send({ id: m.id, op: m.op, error });
    } else if (m.op === "close") {
      await sim.close();
      send({ id: m.id, op: "close" });
      process.disconnect();
    }
  })();
});
send({ id: 0, op: "ready", kubeconfig: sim.kubeconfig() });
