// The simulated API server a benchmark talks to: in a child process (default:
// the figures are then the engine's alone) or in this process (--sim
// inprocess: one CPU profile shows both sides). Same interface either way.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startKubeSim } from "../test/support/kube/index.js";
import { countVerbs } from "./verbs.js";

export type SimMode = "child" | "inprocess";

export interface SimStats {
  /** Requests the server logged since the last reset. */
  requests: number;
  byVerb: Record<string, number>;
  /** CPU the server process has used so far (user + system); undefined in-process. */
  cpuMs?: number;
  rssMiB?: number;
}

export interface SimHandle {
  mode: SimMode;
  kubeconfig: string;
  stats(): Promise<SimStats>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export type SimMessage = { id: number; op: "stats" | "reset" | "close" };
export type SimReply =
  | { id: number; op: "ready"; kubeconfig: string }
  | { id: number; op: "stats"; stats: SimStats }
  | { id: number; op: "reset" | "close" };

export async function startSim(latencyMs: number, mode: SimMode = "child"): Promise<SimHandle> {
  return mode === "child" ? startChild(latencyMs) : startInProcess(latencyMs);
}

async function startInProcess(latencyMs: number): Promise<SimHandle> {
  const sim = await startKubeSim({ latencyMs });
  return {
    mode: "inprocess",
    kubeconfig: sim.kubeconfig(),
    stats: async () => ({ requests: sim.requests.length, byVerb: countVerbs(sim.requests) }),
    reset: async () => sim.resetRequests(),
    close: () => sim.close(),
  };
}

async function startChild(latencyMs: number): Promise<SimHandle> {
  const entry = fileURLToPath(new URL("./sim-child.js", import.meta.url));
  // No --expose-gc or --cpu-prof of ours unless asked: the child inherits execArgv.
  const child: ChildProcess = fork(entry, [String(latencyMs)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const waiting = new Map<number, { resolve: (r: SimReply) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let failed: Error | undefined;
  child.once("exit", (code, signal) => {
    failed = new Error(`kube-sim child exited (${signal ?? `code ${code}`})`);
    for (const w of waiting.values()) w.reject(failed);
    waiting.clear();
  });
  child.on("message", (r: SimReply) => {
    const w = waiting.get(r.id);
    waiting.delete(r.id);
    w?.resolve(r);
  });
  const call = (op: SimMessage["op"] | "ready", id = nextId++) =>
    new Promise<SimReply>((resolve, reject) => {
      if (failed) return reject(failed);
      waiting.set(id, { resolve, reject });
      if (op !== "ready") child.send({ id, op } satisfies SimMessage);
    });
  const ready = call("ready", 0);
  const kubeconfig = ((await ready) as { kubeconfig: string }).kubeconfig;
  return {
    mode: "child",
    kubeconfig,
    stats: async () => ((await call("stats")) as { stats: SimStats }).stats,
    reset: async () => void (await call("reset")),
    async close() {
      if (failed) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      await call("close").catch(() => undefined); // the child may exit before its reply is read
      await exited;
    },
  };
}
