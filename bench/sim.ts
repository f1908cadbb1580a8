// The simulated API server a benchmark talks to: in a child process (default:
// the figures are then the engine's alone) or in this process (--sim
// inprocess: one CPU profile shows both sides). Same interface either way.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { seedEnvironment } from "../test/support/deploy.js";
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
  /** CPU-profile the server (child mode only: in-process, the engine's profile already covers it). */
  profileStart(): Promise<void>;
  profileStop(file: string): Promise<void>;
  /**
   * Seeds the cluster (test/support/deploy.ts's seedEnvironment). In child
   * mode this runs in the server's process, so the setup's memory and CPU do
   * not land in the benchmark process's figures.
   */
  seed(req: SeedRequest): Promise<void>;
  close(): Promise<void>;
}

export type SimMessage =
  | { id: number; op: "stats" | "reset" | "close" | "profile-start" }
  | { id: number; op: "profile-stop"; file: string }
  | { id: number; op: "seed"; seed: SeedRequest };
export type SimReply =
  | { id: number; op: "ready"; kubeconfig: string }
  | { id: number; op: "stats"; stats: SimStats }
  | { id: number; op: "reset" | "close" | "profile-start" | "profile-stop" | "seed"; error?: string };

/** Put a repository's environment into the cluster the way a deploy does (plan + apply with inventory). */
export interface SeedRequest {
  root: string;
  environment: string;
  repository: string;
  revision: string;
}

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
    profileStart: async () => undefined,
    profileStop: async () => undefined,
    seed: (r) => seedEnvironment(sim.kubeconfig(), r.root, r.environment, r.repository, r.revision),
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
    if ("error" in r && r.error) w?.reject(new Error(r.error));
    else w?.resolve(r);
  });
  const call = (op: SimMessage["op"] | "ready", extra: { file?: string; seed?: SeedRequest } = {}, id = nextId++) =>
    new Promise<SimReply>((resolve, reject) => {
      if (failed) return reject(failed);
      waiting.set(id, { resolve, reject });
      if (op !== "ready") child.send({ id, op, ...extra });
    });
  const ready = call("ready", {}, 0);
  const kubeconfig = ((await ready) as { kubeconfig: string }).kubeconfig;
  return {
    mode: "child",
    kubeconfig,
    stats: async () => ((await call("stats")) as { stats: SimStats }).stats,
    reset: async () => void (await call("reset")),
    profileStart: async () => void (await call("profile-start")),
    profileStop: async (file) => void (await call("profile-stop", { file })),
    seed: async (seed) => void (await call("seed", { seed })),
    async close() {
      if (failed) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      await call("close").catch(() => undefined); // the child may exit before its reply is read
      await exited;
    },
  };
}
