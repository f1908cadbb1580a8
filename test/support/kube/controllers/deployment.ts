// The deployment controller: one ReplicaSet per pod template (named by the
// template's hash), revisions, scaling, history cleanup, and the status and
// conditions kubectl rollout status reads.
// Simplification: a rolling update scales the new ReplicaSet to spec.replicas at
// once and the old ones to 0 when the new one is fully available (maxSurge 100%,
// maxUnavailable 0) — what the real algorithm does for 1 or 2 replicas with the
// 25% defaults; so the old pods keep serving while a broken rollout fails.

import { DEPLOY, RS, int, omitZero, owned, ownerRef, parseTime, scaled, setCondition, templateHash, time, type Cx, type Obj } from "./shared.js";

const REVISION = "deployment.kubernetes.io/revision";
const MANAGER = "kube-controller-manager";

export function syncDeployments(cx: Cx, each: (o: Obj, fn: (o: Obj) => void) => void): void {
  for (const d of cx.cache.list(DEPLOY)) each(d, () => syncDeployment(cx, d));
}

function revisionOf(rs: Obj): number {
  return int(rs.metadata.annotations?.[REVISION]);
}

function event(cx: Cx, d: Obj, message: string): void {
  cx.event(d, { type: "Normal", reason: "ScalingReplicaSet", message, component: "deployment-controller" });
}

function scale(cx: Cx, d: Obj, rs: Obj, replicas: number): void {
  const from = int(rs.spec?.replicas);
  if (from === replicas) return;
  const annotations = { ...rs.metadata.annotations, "deployment.kubernetes.io/desired-replicas": String(int(d.spec?.replicas, 1)) };
  if (cx.write({ ...rs, metadata: { ...rs.metadata, annotations }, spec: { ...rs.spec, replicas } }, MANAGER)) {
    event(cx, d, `Scaled ${replicas > from ? "up" : "down"} replica set ${rs.metadata.name} from ${from} to ${replicas}`);
  }
}

function syncDeployment(cx: Cx, d: Obj): void {
  const spec: Obj = d.spec ?? {};
  const ns = d.metadata.namespace;
  const desired = int(spec.replicas, 1);
  const recreate = spec.strategy?.type === "Recreate";
  const maxSurge = recreate ? 0 : scaled(spec.strategy?.rollingUpdate?.maxSurge ?? "25%", desired, true);
  const hash = templateHash(spec.template, d.status?.collisionCount);
  const all = owned(cx, RS, d);
  let newRS = all.find((rs) => rs.metadata.labels?.["pod-template-hash"] === hash);
  const maxRevision = Math.max(0, ...all.map(revisionOf));
  let created = false;
  if (!spec.paused) {
    if (!newRS) {
      const name = `${d.metadata.name}-${hash}`;
      const labels = { ...(spec.template?.metadata?.labels ?? {}), "pod-template-hash": hash };
      const oldPods = all.some((rs) => int(rs.status?.replicas) > 0 || int(rs.spec?.replicas) > 0);
      const replicas = recreate && oldPods ? 0 : desired;
      newRS = cx.write({
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        metadata: {
          name, namespace: ns, labels,
          annotations: { "deployment.kubernetes.io/desired-replicas": String(desired), "deployment.kubernetes.io/max-replicas": String(desired + maxSurge), [REVISION]: String(maxRevision + 1) },
          ownerReferences: [ownerRef(d)],
        },
        spec: {
          replicas,
          ...(spec.minReadySeconds ? { minReadySeconds: spec.minReadySeconds } : {}),
          selector: { ...spec.selector, matchLabels: { ...(spec.selector?.matchLabels ?? {}), "pod-template-hash": hash } },
          template: { ...spec.template, metadata: { ...(spec.template?.metadata ?? {}), labels } },
        },
      }, MANAGER);
      if (!newRS) return;
      created = true;
      if (replicas > 0) event(cx, d, `Scaled up replica set ${name} from 0 to ${replicas}`);
    } else if (revisionOf(newRS) < maxRevision) {
      // Rolling back to an older template makes its ReplicaSet the newest revision again.
      newRS = cx.write({ ...newRS, metadata: { ...newRS.metadata, annotations: { ...newRS.metadata.annotations, [REVISION]: String(maxRevision + 1) } } }, MANAGER) ?? newRS;
    }
  }
  if (newRS && d.metadata.annotations?.[REVISION] !== newRS.metadata.annotations?.[REVISION]) {
    d = cx.write({ ...d, metadata: { ...d.metadata, annotations: { ...d.metadata.annotations, [REVISION]: newRS.metadata.annotations[REVISION] } } }, MANAGER) ?? d;
  }
  const olds = all.filter((rs) => rs.metadata.uid !== newRS?.metadata.uid);
  if (!spec.paused && newRS) {
    if (recreate) {
      for (const rs of olds) scale(cx, d, rs, 0);
      if (olds.every((rs) => int(rs.status?.replicas) === 0)) scale(cx, d, newRS, desired);
    } else {
      scale(cx, d, newRS, desired);
      const fresh = cx.cache.get(RS, ns, newRS.metadata.name) ?? newRS;
      const st: Obj = fresh.status ?? {};
      const done = int(st.observedGeneration) >= int(fresh.metadata.generation) && int(st.replicas) === desired && int(st.availableReplicas) >= desired;
      if (done) for (const rs of olds) scale(cx, d, rs, 0);
    }
    cleanup(cx, olds, int(spec.revisionHistoryLimit, 10));
  }
  writeStatus(cx, d, newRS && cx.cache.get(RS, ns, newRS.metadata.name), created);
}

/** Keeps revisionHistoryLimit scaled-down old ReplicaSets, deleting the oldest beyond it. */
function cleanup(cx: Cx, olds: Obj[], limit: number): void {
  const idle = olds.filter((rs) => int(rs.spec?.replicas) === 0 && int(rs.status?.replicas) === 0).sort((a, b) => revisionOf(a) - revisionOf(b));
  for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) cx.remove(rs);
}

function writeStatus(cx: Cx, d: Obj, newRS: Obj | undefined, created: boolean): void {
  const spec: Obj = d.spec ?? {};
  const prev: Obj = d.status ?? {};
  const now = time(cx.now);
  const desired = int(spec.replicas, 1);
  const rss = owned(cx, RS, d);
  const sum = (f: (rs: Obj) => unknown) => rss.reduce((n, rs) => n + int(f(rs)), 0);
  const replicas = sum((rs) => rs.status?.replicas);
  const updated = int(newRS?.status?.replicas);
  const ready = sum((rs) => rs.status?.readyReplicas);
  const available = sum((rs) => rs.status?.availableReplicas);
  const unavailable = Math.max(0, sum((rs) => rs.spec?.replicas) - available);
  const maxUnavailable = spec.strategy?.type === "Recreate" ? 0 : Math.min(desired, scaled(spec.strategy?.rollingUpdate?.maxUnavailable ?? "25%", desired, false));

  let conditions = setCondition(prev.conditions, available >= desired - maxUnavailable
    ? { type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability." }
    : { type: "Available", status: "False", reason: "MinimumReplicasUnavailable", message: "Deployment does not have minimum availability." }, now, { update: true });

  const key = `progress/${d.metadata.uid}`;
  const current = (prev.conditions ?? []).find((c: Obj) => c.type === "Progressing");
  const progressAt = (cx.memo.get(key) as number | undefined) ?? parseTime(current?.lastUpdateTime) ?? cx.now;
  const name = newRS?.metadata.name;
  const complete = !!newRS && updated === desired && replicas === desired && available === desired;
  const progressed = updated > int(prev.updatedReplicas) || ready > int(prev.readyReplicas) || available > int(prev.availableReplicas)
    || replicas - updated < int(prev.replicas) - int(prev.updatedReplicas);
  const deadline = spec.progressDeadlineSeconds === undefined ? Infinity : int(spec.progressDeadlineSeconds) * 1000 * cx.deadlineScale;
  let progressing: Obj | undefined;
  let force = false;
  if (spec.paused) progressing = { type: "Progressing", status: "Unknown", reason: "DeploymentPaused", message: "Deployment is paused" };
  else if (!newRS) progressing = undefined;
  else if (complete) progressing = { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable", message: `ReplicaSet "${name}" has successfully progressed.` };
  else if (created) progressing = { type: "Progressing", status: "True", reason: "NewReplicaSetCreated", message: `Created new replica set "${name}"` };
  else if (progressed || !current) {
    progressing = { type: "Progressing", status: "True", reason: current ? "ReplicaSetUpdated" : "FoundNewReplicaSet", message: current ? `ReplicaSet "${name}" is progressing.` : `Found new replica set "${name}"` };
    force = true;
  } else if (current.reason === "ProgressDeadlineExceeded" || cx.now - progressAt > deadline) {
    progressing = { type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: `ReplicaSet "${name}" has timed out progressing.` };
  }
  if (progressing) {
    conditions = setCondition(conditions, progressing, now, { update: true, force });
    if (created || force || progressing.reason === "NewReplicaSetAvailable") cx.memo.set(key, cx.now);
  }
  const status = omitZero({
    observedGeneration: d.metadata.generation,
    replicas, updatedReplicas: updated, readyReplicas: ready, availableReplicas: available, unavailableReplicas: unavailable,
    conditions,
    ...(prev.collisionCount !== undefined ? { collisionCount: prev.collisionCount } : {}),
  });
  cx.write({ ...d, status }, MANAGER, "status");
}
