// Child-process entry for the app suites (preview, deploy, revert, burst,
// scale): the simulated Kubernetes API server AND its scripted controllers
// (test/support/kube/controller.ts: ReplicaSets, pods, readiness, image pull
// failures) in a process of their own, as a real cluster would be. The case
// process (Probot app + simulated GitHub) talks to it over HTTPS like to any
// cluster, and to this process over the fork IPC channel (bench/kube-cluster.ts)
// to seed environments, count requests and make objects drift.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseConfig } from "../src/config/index.js";
import { runDeploy } from "../src/engine/run-deploy.js";
import type { KubeObject } from "../src/manifests/object.js";
import { clientFor } from "../test/support/deploy.js";
import { startController, type Controller, type ControllerScenario } from "../test/support/kube/controller.js";
import { startKubeSim } from "../test/support/kube/index.js";
import { countVerbs, sortCounts, verbOf, type RequestLike } from "./verbs.js";

export interface ClusterStats {
  requests: number;
  byVerb: Record<string, number>;
  /** "verb resource" (e.g. "list pods", "apply (dry-run) deployments"), largest first. */
  byResource: Record<string, number>;
  cpuMs: number;
}

export type SerializableScenario = Omit<ControllerScenario, "images"> & { images?: Array<{ match: string; behaviour: NonNullable<ControllerScenario["images"]>[number]["behaviour"] }> };

export interface DeployRequest {
  /** A checkout of the repository on disk (the bench writes it; the child only reads it). */
  root: string;
  environment: string;
  repository: string;
  revision: string;
  pollMs?: number;
}

export type KubeMessage =
  | { id: number; op: "stats" | "reset" | "close" | "errors" | "count-objects" | "pause" | "resume" | "arm" }
  | { id: number; op: "scenario"; scenario: SerializableScenario }
  | { id: number; op: "deploy"; deploy: DeployRequest }
  | { id: number; op: "edit"; edit: ObjectEdit };

/** A hand change for drift: set fields (dotted paths) on a live object, or delete it. */
export interface ObjectEdit {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  set?: Record<string, unknown>;
  remove?: boolean;
}

export type KubeReply = { id: number; ok: true; value?: unknown } | { id: number; ok: false; error: string };

const latencyMs = Number(process.argv[2] ?? 0);
const sim = await startKubeSim({ latencyMs });
let scenario = JSON.parse(process.argv[3] ?? "{}") as ControllerScenario;
// The controllers poll every object every 25 ms: at a few thousand objects
// that is a whole CPU, which a real cluster spends in kube-controller-manager,
// not in the API server. They start paused and run only while something must
// roll out; on resume they rebuild their cache from the store and catch up
// (they are level-triggered).
let controller: Controller | undefined;
// Armed: paused now, started at the first pod LIST — verification starting
// (engine/verify.ts lists pods; planning and applying never do). During an
// apply every object is rewritten (revision annotations) and each write would
// trigger a full controller pass in this process, slowing the API server the
// benchmark measures; the rollout then starts when verification does, which
// costs the first verification round at most (pessimistic, not optimistic).
let armed = false;
sim.intercept((req) => {
  if (armed && req.method === "GET" && /\/pods$/.test(req.path)) {
    armed = false;
    controller ??= startController(sim, scenario);
  }
  return undefined;
});

let seeding = 0;
let runningBeforeSeeds = false;

async function pause(): Promise<void> {
  await controller?.stop();
  controller = undefined;
}
const client = clientFor(sim.kubeconfig());
const send = (m: KubeReply) => process.send!(m);

/** Plural resource of a request path ("pods", "deployments", "namespaces"), or "discovery". */
function resourceOf(path: string): string {
  const seg = path.split("/").filter(Boolean);
  const rest = seg[0] === "api" ? seg.slice(2) : seg[0] === "apis" ? seg.slice(3) : undefined;
  if (!rest || rest.length === 0) return "discovery";
  const scoped = rest[0] === "namespaces" && rest.length >= 3 ? rest.slice(2) : rest;
  return scoped[0]!;
}

function stats(): ClusterStats {
  const byResource: Record<string, number> = {};
  for (const r of sim.requests as RequestLike[]) {
    const v = verbOf(r);
    const k = v === "discovery" ? v : `${v} ${resourceOf(r.path)}`;
    byResource[k] = (byResource[k] ?? 0) + 1;
  }
  const cpu = process.cpuUsage();
  return { requests: sim.requests.length, byVerb: countVerbs(sim.requests), byResource: sortCounts(byResource), cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** Plan, apply, verify and record one environment, as a deploy's cluster half does (engine/run-deploy.ts). */
async function deploy(d: DeployRequest): Promise<{ ok: boolean; reason: string; message: string }> {
  const config = parseConfig(await readFile(join(d.root, ".github/converge.yml"), "utf8"));
  const env = config.environments.find((e) => e.name === d.environment);
  if (!env) throw new Error(`no environment ${d.environment} in ${d.root}`);
  // Controllers paused: armed for the first verification; several seeds may run at once.
  if (seeding++ === 0) {
    runningBeforeSeeds = controller !== undefined;
    if (!runningBeforeSeeds) armed = true;
  }
  let run;
  try {
    run = await runDeploy({ env, root: d.root, repository: d.repository, revision: d.revision, client, pollMs: d.pollMs ?? 50, verifyTimeoutMs: 120_000 });
  } finally {
    if (--seeding === 0 && !runningBeforeSeeds) {
      armed = false;
      await pause();
    }
  }
  return { ok: run.ok, reason: run.reason, message: run.message };
}

function edit(e: ObjectEdit): void {
  if (e.remove) {
    if (!sim.remove(e.apiVersion, e.kind, e.name, e.namespace)) throw new Error(`edit: ${e.kind} ${e.namespace}/${e.name} not found`);
    return;
  }
  const live = sim.get(e.apiVersion, e.kind, e.name, e.namespace);
  if (!live) throw new Error(`edit: ${e.kind} ${e.namespace}/${e.name} not found`);
  for (const [path, value] of Object.entries(e.set ?? {})) {
    const keys = path.split(".");
    let at = live as unknown as Record<string, unknown>;
    for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
    at[keys[keys.length - 1]!] = value;
  }
  // As the drift e2e test does: a write that bypasses apply, like `kubectl edit`
  // by someone whose field manager is not Converge's.
  sim.put(live as KubeObject);
}

process.on("disconnect", () => process.exit(0));
process.on("message", (m: KubeMessage) => {
  void (async () => {
    try {
      let value: unknown;
      if (m.op === "stats") value = stats();
      else if (m.op === "reset") sim.resetRequests();
      else if (m.op === "errors") value = controller?.errors.slice(-20) ?? [];
      else if (m.op === "pause") {
        armed = false;
        await pause();
      } else if (m.op === "resume") {
        armed = false;
        controller ??= startController(sim, scenario);
      } else if (m.op === "arm") {
        await pause();
        armed = true;
      }
      else if (m.op === "count-objects") value = sim.list().length;
      else if (m.op === "scenario") {
        scenario = m.scenario as ControllerScenario;
        controller?.setScenario(scenario);
      }
      else if (m.op === "deploy") value = await deploy(m.deploy);
      else if (m.op === "edit") edit(m.edit);
      else if (m.op === "close") {
        await controller?.stop();
        client.close();
        await sim.close();
        send({ id: m.id, ok: true });
        process.disconnect();
        return;
      }
      send({ id: m.id, ok: true, value });
    } catch (err) {
      send({ id: m.id, ok: false, error: (err as Error).stack ?? String(err) });
    }
  })();
});
send({ id: 0, ok: true, value: sim.kubeconfig() });
