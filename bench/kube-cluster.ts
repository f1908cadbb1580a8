// The parent side of bench/kube-child.ts: a simulated cluster (API server +
// scripted controllers) in its own process, reached over HTTPS by the app and
// over IPC by the benchmark (seed, count, drift).
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ClusterStats, DeployRequest, KubeMessage, KubeReply, ObjectEdit, SerializableScenario } from "./kube-child.js";

export type { ClusterStats, ObjectEdit, SerializableScenario } from "./kube-child.js";

export interface Cluster {
  kubeconfig: string;
  /** The kubeconfig written to a file (the operator's cluster registry names a file). */
  kubeconfigPath: string;
  /** Requests since the last reset, by verb and by "verb resource"; CPU of the server's process so far. */
  stats(): Promise<ClusterStats>;
  reset(): Promise<void>;
  scenario(s: SerializableScenario): Promise<void>;
  /**
   * Plan + apply + verify + record in the server's process (engine/run-deploy.ts): a deployed
   * environment to start from. The controllers run during its verification only; afterwards they
   * are as before (running, or paused).
   */
  deploy(d: DeployRequest): Promise<{ ok: boolean; reason: string; message: string }>;
  edit(e: ObjectEdit): Promise<void>;
  objects(): Promise<number>;
  /** Stop the scripted controllers (they cost the server's process a CPU at a few thousand objects) / start them again. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Pause the controllers now and start them at the first pod LIST (verification starting): see kube-child.ts. */
  arm(): Promise<void>;
  controllerErrors(): Promise<string[]>;
  close(): Promise<void>;
}

type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;

export async function startCluster(latencyMs: number, scenario: SerializableScenario = {}): Promise<Cluster> {
  const entry = fileURLToPath(new URL("./kube-child.js", import.meta.url));
  // Not our --expose-gc/--cpu-prof: the server is not what is measured for memory.
  const child: ChildProcess = fork(entry, [String(latencyMs), JSON.stringify(scenario)], { stdio: ["ignore", "inherit", "inherit", "ipc"], execArgv: [] });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let failed: Error | undefined;
  child.once("exit", (code, signal) => {
    failed = new Error(`kube child exited (${signal ?? `code ${code}`})`);
    for (const w of waiting.values()) w.reject(failed);
    waiting.clear();
  });
  child.on("message", (r: KubeReply) => {
    const w = waiting.get(r.id);
    waiting.delete(r.id);
    if (r.ok) w?.resolve(r.value);
    else w?.reject(new Error(r.error));
  });
  const call = <T>(msg: WithoutId<KubeMessage> | undefined, id = nextId++): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (failed) return reject(failed);
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (msg) child.send({ ...msg, id });
    });
  const kubeconfig = await call<string>(undefined, 0);
  const dir = mkdtempSync(join(tmpdir(), "converge-bench-kube-"));
  const kubeconfigPath = join(dir, "kubeconfig");
  writeFileSync(kubeconfigPath, kubeconfig, { mode: 0o600 });
  // Also when the case process exits without close() (burst leaves an undrained app behind).
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  process.once("exit", cleanup);
  return {
    kubeconfig,
    kubeconfigPath,
    stats: () => call<ClusterStats>({ op: "stats" }),
    reset: () => call<void>({ op: "reset" }),
    scenario: (s) => call<void>({ op: "scenario", scenario: s }),
    deploy: (d) => call({ op: "deploy", deploy: d }),
    edit: (e) => call<void>({ op: "edit", edit: e }),
    objects: () => call<number>({ op: "count-objects" }),
    pause: () => call<void>({ op: "pause" }),
    resume: () => call<void>({ op: "resume" }),
    arm: () => call<void>({ op: "arm" }),
    controllerErrors: () => call<string[]>({ op: "errors" }),
    async close() {
      cleanup();
      process.off("exit", cleanup);
      if (failed) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      await call({ op: "close" }).catch(() => undefined);
      await exited;
    },
  };
}
