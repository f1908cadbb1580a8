// verifyHealth: after an apply, wait until every applied object is healthy.
// Bounded polling, cheap per round: one label-selected LIST per (resource,
// namespace) of applied objects, plus Pods and ReplicaSets per namespace that
// holds workloads. Fast failure: a pod of the current rollout in
// CrashLoopBackOff / ImagePullBackOff / … fails verification at once, not at
// the progress deadline. Named outcomes: Healthy, Degraded, Timeout,
// NonConvergence (the objects keep changing away from what was applied).
import type { KubeClient } from "../cluster/client.js";
import type { Discovery, ResourceInfo } from "../cluster/discovery.js";
import { listAll } from "../cluster/read.js";
import { isNotFound } from "../cluster/errors.js";
import { assessHealth, describeHealth, podsOfRollout, type HealthResult } from "../health/index.js";
import { describeId, idKey, idOf, type KubeObject, type ObjectId } from "../manifests/object.js";
import { LABEL_PART_OF } from "../inventory/applyset.js";
import { mapBounded } from "../util/pool.js";

export type VerifyOutcome = "Healthy" | "Degraded" | "Timeout";

export interface FailingObject {
  id: ObjectId;
  health: HealthResult;
  /** One line per pod of the rollout: "web-7d9c-x: ImagePullBackOff (restarts 0)". */
  pods: string[];
  /** Recent warning events of the object and its pods. */
  events: string[];
}

export interface VerifyResult {
  outcome: VerifyOutcome;
  reason: string; // one sentence: what failed, or "all 12 objects healthy"
  failing: FailingObject[];
  durationMs: number;
  rounds: number;
}

export interface VerifyOptions {
  applySetId: string;
  timeoutMs: number;
  restartThreshold: number;
  pollMs?: number; // first interval; grows to maxPollMs
  maxPollMs?: number;
  concurrency?: number;
  signal?: AbortSignal;
}

const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"]);

export async function verifyHealth(client: KubeClient, discovery: Discovery, applied: KubeObject[], opts: VerifyOptions): Promise<VerifyResult> {
  const started = Date.now();
  const deadline = started + opts.timeoutMs;
  const buckets = await bucketsOf(discovery, applied);
  const workloadNs = [...new Set(applied.filter((o) => WORKLOADS.has(o.kind)).map((o) => o.metadata.namespace ?? ""))].filter(Boolean);
  const baseline = new Map<string, number>();
  let first = true;
  let rounds = 0;
  let wait = opts.pollMs ?? 500;
  for (;;) {
    rounds++;
    let snapshot: Snapshot;
    try {
      snapshot = await readRound(client, discovery, buckets, workloadNs, opts);
    } catch (err) {
      // The client already retried this read; a round we cannot see is not a verdict.
      // Keep polling until the deadline, then say what could not be read — never "healthy".
      if (Date.now() + wait > deadline || opts.signal?.aborted) {
        const secs = Math.round(opts.timeoutMs / 1000);
        return { outcome: "Timeout", reason: `not verified after ${secs} s: could not read the cluster: ${(err as Error).message}`, failing: [], durationMs: Date.now() - started, rounds };
      }
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(Math.round(wait * 1.5), opts.maxPollMs ?? 2_000);
      continue;
    }
    if (first) {
      // Restarts that happened before this deploy are not its fault.
      for (const pod of snapshot.pods) for (const [k, v] of restartCounts(pod)) baseline.set(k, v);
      first = false;
    }
    const results = applied.map((o) => {
      const key = idKey(idOf(o));
      const live = snapshot.objects.get(key);
      const pods = live && WORKLOADS.has(o.kind) ? podsOfRollout(live, live.kind === "Deployment" ? snapshot.replicaSets : [], snapshot.pods) : [];
      return { id: idOf(o), live, pods, health: assessHealth(live, { pods }, { restartThreshold: opts.restartThreshold, baselineRestarts: baseline }) };
    });
    const degraded = results.filter((r) => r.health.status === "Degraded");
    if (degraded.length) {
      const failing = await Promise.all(degraded.map((r) => describeFailing(client, r.id, r.health, r.pods)));
      return { outcome: "Degraded", reason: failing.map((f) => describeHealth(f.id, f.health)).join("; "), failing, durationMs: Date.now() - started, rounds };
    }
    const waiting = results.filter((r) => r.health.status !== "Healthy" && r.health.status !== "Suspended");
    if (!waiting.length) return { outcome: "Healthy", reason: `all ${results.length} objects healthy`, failing: [], durationMs: Date.now() - started, rounds };
    if (Date.now() + wait > deadline || opts.signal?.aborted) {
      const failing = await Promise.all(waiting.slice(0, 20).map((r) => describeFailing(client, r.id, r.health, r.pods)));
      const secs = Math.round(opts.timeoutMs / 1000);
      return {
        outcome: "Timeout",
        reason: `not healthy after ${secs} s: ${failing.map((f) => describeHealth(f.id, f.health)).join("; ")}${waiting.length > 20 ? ` and ${waiting.length - 20} more` : ""}`,
        failing,
        durationMs: Date.now() - started,
        rounds,
      };
    }
    await new Promise((r) => setTimeout(r, wait));
    wait = Math.min(Math.round(wait * 1.5), opts.maxPollMs ?? 2_000);
  }
}

interface Bucket {
  r: ResourceInfo;
  ns?: string;
}

async function bucketsOf(discovery: Discovery, objs: KubeObject[]): Promise<Bucket[]> {
  const out = new Map<string, Bucket>();
  for (const o of objs) {
    const r = await discovery.resource(o.apiVersion, o.kind);
    if (!r) continue;
    const ns = r.namespaced ? o.metadata.namespace : undefined;
    out.set(`${r.group}/${r.plural}/${ns ?? ""}`, { r, ns });
  }
  return [...out.values()];
}

interface Snapshot {
  objects: Map<string, KubeObject>;
  pods: KubeObject[];
  replicaSets: KubeObject[];
}

async function readRound(client: KubeClient, discovery: Discovery, buckets: Bucket[], workloadNs: string[], opts: VerifyOptions): Promise<Snapshot> {
  const selector = `${LABEL_PART_OF}=${opts.applySetId}`;
  const concurrency = opts.concurrency ?? 8;
  const objects = new Map<string, KubeObject>();
  const lists = await mapBounded(buckets, concurrency, (b) => listAll(client, b.r, b.ns, selector).catch(empty));
  for (const items of lists) for (const o of items) objects.set(idKey(idOf(o)), o);
  const pod = await discovery.resource("v1", "Pod");
  const rs = await discovery.resource("apps/v1", "ReplicaSet");
  const pods = pod ? (await mapBounded(workloadNs, concurrency, (ns) => listAll(client, pod, ns).catch(empty))).flat() : [];
  const replicaSets = rs ? (await mapBounded(workloadNs, concurrency, (ns) => listAll(client, rs, ns).catch(empty))).flat() : [];
  return { objects, pods, replicaSets };
}

function empty(err: unknown): KubeObject[] {
  if (isNotFound(err)) return [];
  throw err;
}

function restartCounts(pod: KubeObject): Array<[string, number]> {
  const status = pod.status as { containerStatuses?: Array<{ name: string; restartCount?: number }>; initContainerStatuses?: Array<{ name: string; restartCount?: number }> } | undefined;
  return [...(status?.containerStatuses ?? []), ...(status?.initContainerStatuses ?? [])].map((c) => [`${pod.metadata.name}/${c.name}`, c.restartCount ?? 0]);
}

/** Pod states and recent warning events for a failing object, for the report and the revert PR. */
async function describeFailing(client: KubeClient, id: ObjectId, health: HealthResult, pods: KubeObject[]): Promise<FailingObject> {
  const podLines = pods.slice(0, 10).map(podLine);
  const events: string[] = [];
  if (id.namespace) {
    const names = [id.name, ...pods.slice(0, 5).map((p) => p.metadata.name)];
    for (const name of names) {
      try {
        const list = await client.request<{ items?: Array<{ type?: string; reason?: string; message?: string; count?: number; involvedObject?: { kind?: string; name?: string } }> }>("GET", `/api/v1/namespaces/${encodeURIComponent(id.namespace)}/events`, {
          query: { fieldSelector: `involvedObject.name=${name}`, limit: 20 },
        });
        for (const e of (list.items ?? []).filter((e) => e.type === "Warning").slice(-3)) {
          events.push(`${e.involvedObject?.kind ?? ""} ${e.involvedObject?.name ?? name}: ${e.reason ?? ""}: ${(e.message ?? "").slice(0, 300)}`.trim());
        }
      } catch {
        // Events are a courtesy for the report; their absence must not hide the failure.
      }
    }
  }
  return { id, health, pods: podLines, events };
}

function podLine(pod: KubeObject): string {
  const status = pod.status as { phase?: string; containerStatuses?: Array<{ name: string; restartCount?: number; state?: { waiting?: { reason?: string }; terminated?: { reason?: string } } }> } | undefined;
  const containers = (status?.containerStatuses ?? []).map((c) => {
    const state = c.state?.waiting?.reason ?? c.state?.terminated?.reason ?? "Running";
    return `${c.name} ${state} (restarts ${c.restartCount ?? 0})`;
  });
  return `${pod.metadata.name}: ${status?.phase ?? "Unknown"}${containers.length ? ` — ${containers.join(", ")}` : ""}`;
}

export function describeFailingObjects(failing: FailingObject[]): string {
  return failing.map((f) => [`${describeId(f.id)}: ${f.health.status}${f.health.reason ? ` (${f.health.reason})` : ""}${f.health.message ? ` — ${f.health.message}` : ""}`, ...f.pods.map((p) => `  pod ${p}`), ...f.events.map((e) => `  event ${e}`)].join("\n")).join("\n");
}
