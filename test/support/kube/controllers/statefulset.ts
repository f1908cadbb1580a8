// The StatefulSet controller: pods <name>-<ordinal> created in order (each
// waits for the one before to be Running and Ready, unless Parallel), claims
// from volumeClaimTemplates, rolling updates from the highest ordinal down
// (one pod at a time, above the partition), and the revision status.
// Simplification: the update revision is <name>-<hash of the template> (no
// ControllerRevision objects); claims are never deleted (retention Retain).

import { podActive, podAvailable, podFromTemplate, podReady } from "./pods.js";
import { POD, PVC, STS, int, omitZero, owned, templateHash, type Cx, type Obj } from "./shared.js";

const MANAGER = "kube-controller-manager";
const REV = "controller-revision-hash";

export function syncStatefulSets(cx: Cx, each: (o: Obj, fn: (o: Obj) => void) => void): void {
  for (const sts of cx.cache.list(STS)) each(sts, () => syncStatefulSet(cx, sts));
}

function ordinalOf(sts: Obj, pod: Obj): number {
  return Number(String(pod.metadata.name).slice(String(sts.metadata.name).length + 1));
}

function healthy(p: Obj | undefined): boolean {
  return !!p && p.status?.phase === "Running" && podReady(p);
}

function event(cx: Cx, sts: Obj, message: string): void {
  cx.event(sts, { type: "Normal", reason: message.startsWith("delete") ? "SuccessfulDelete" : "SuccessfulCreate", message, component: "statefulset-controller" });
}

function createPod(cx: Cx, sts: Obj, ordinal: number, revision: string): void {
  const spec: Obj = sts.spec ?? {};
  const ns = sts.metadata.namespace;
  const name = `${sts.metadata.name}-${ordinal}`;
  const pod = podFromTemplate(sts, spec.template ?? {}, name, { "apps.kubernetes.io/pod-index": String(ordinal), [REV]: revision, "statefulset.kubernetes.io/pod-name": name });
  pod.spec.hostname = name;
  if (spec.serviceName) pod.spec.subdomain = spec.serviceName;
  for (const vct of spec.volumeClaimTemplates ?? []) {
    const claimName = `${vct.metadata?.name}-${name}`;
    if (!cx.cache.get(PVC, ns, claimName)) {
      const claim = { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: claimName, namespace: ns, labels: { ...(spec.selector?.matchLabels ?? {}) } }, spec: structuredClone(vct.spec ?? {}) };
      if (cx.write(claim, MANAGER)) event(cx, sts, `create Claim ${claimName} Pod ${name} in StatefulSet ${sts.metadata.name} success`);
    }
    const volumes = (pod.spec.volumes ?? []).filter((v: Obj) => v.name !== vct.metadata?.name);
    pod.spec.volumes = [...volumes, { name: vct.metadata?.name, persistentVolumeClaim: { claimName } }];
  }
  if (cx.write(pod, MANAGER)) event(cx, sts, `create Pod ${name} in StatefulSet ${sts.metadata.name} successful`);
}

function syncStatefulSet(cx: Cx, sts: Obj): void {
  const spec: Obj = sts.spec ?? {};
  const desired = int(spec.replicas, 1);
  const start = int(spec.ordinals?.start);
  const revision = `${sts.metadata.name}-${templateHash(spec.template, sts.status?.collisionCount)}`;
  const ordered = spec.podManagementPolicy !== "Parallel";
  const pods = () => owned(cx, POD, sts).filter(podActive);
  const inRange = (p: Obj) => ordinalOf(sts, p) >= start && ordinalOf(sts, p) < start + desired;
  let current = pods();
  const byOrdinal = new Map(current.map((p) => [ordinalOf(sts, p), p]));
  for (let i = start; i < start + desired; i++) {
    const p = byOrdinal.get(i);
    if (!p) {
      createPod(cx, sts, i, revision);
      if (ordered) break;
    } else if (ordered && !healthy(p)) break;
  }
  const extra = current.filter((p) => !inRange(p)).sort((a, b) => ordinalOf(sts, b) - ordinalOf(sts, a));
  if (extra.length && (!ordered || current.filter(inRange).every(healthy))) {
    for (const p of ordered ? extra.slice(0, 1) : extra) {
      cx.remove(p);
      event(cx, sts, `delete Pod ${p.metadata.name} in StatefulSet ${sts.metadata.name} successful`);
    }
  }
  current = pods();
  const allHealthy = current.length === desired && current.every(healthy);
  // As the real controller: OrderedReady waits for every pod to be Running and Ready (a broken
  // revision stays stuck until someone deletes its pod); then, from the highest ordinal down,
  // a stale pod is deleted (recreated at the update revision) and an unhealthy one is waited for.
  if (spec.updateStrategy?.type !== "OnDelete" && (!ordered || allHealthy)) {
    const partition = int(spec.updateStrategy?.rollingUpdate?.partition);
    const targets = current.filter((p) => inRange(p) && ordinalOf(sts, p) >= start + partition).sort((a, b) => ordinalOf(sts, b) - ordinalOf(sts, a));
    for (const p of targets) {
      if (p.metadata.labels?.[REV] !== revision) {
        cx.remove(p);
        event(cx, sts, `delete Pod ${p.metadata.name} in StatefulSet ${sts.metadata.name} successful`);
        break;
      }
      if (!healthy(p)) break;
    }
  }
  current = pods();
  const prev: Obj = sts.status ?? {};
  const ready = current.filter(podReady).length;
  const updated = current.filter((p) => p.metadata.labels?.[REV] === revision).length;
  let currentRevision: string = prev.currentRevision || revision;
  let currentReplicas = current.filter((p) => p.metadata.labels?.[REV] === currentRevision).length;
  if (updated === desired && current.length === desired && ready === desired) {
    currentRevision = revision;
    currentReplicas = updated;
  }
  const status = omitZero({
    observedGeneration: sts.metadata.generation,
    replicas: current.length,
    readyReplicas: ready,
    currentReplicas,
    updatedReplicas: updated,
    currentRevision,
    updateRevision: revision,
    collisionCount: int(prev.collisionCount),
    availableReplicas: current.filter((p) => podAvailable(cx, p, spec.minReadySeconds)).length,
  }, ["replicas", "collisionCount", "availableReplicas"]);
  cx.write({ ...sts, status }, MANAGER, "status");
}
