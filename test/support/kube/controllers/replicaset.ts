// The ReplicaSet controller: as many active pods as spec.replicas (named
// <replicaset>-<5 characters>), surplus pods deleted least-ready first, and
// the replica counts in status.

import { podActive, podAvailable, podFromTemplate, podReady } from "./pods.js";
import { POD, RS, int, omitZero, owned, selects, uniqueName, type Cx, type Obj } from "./shared.js";

const MANAGER = "kube-controller-manager";

export function syncReplicaSets(cx: Cx, each: (o: Obj, fn: (o: Obj) => void) => void): void {
  for (const rs of cx.cache.list(RS)) each(rs, () => syncReplicaSet(cx, rs));
}

/** Which pod to delete first: unscheduled, then pending, then not ready, then the newest. */
function deletionRank(p: Obj): number {
  if (!p.spec?.nodeName) return 0;
  if (p.status?.phase === "Pending") return 1;
  return podReady(p) ? 3 : 2;
}

function syncReplicaSet(cx: Cx, rs: Obj): void {
  const ns = rs.metadata.namespace;
  const want = int(rs.spec?.replicas, 1);
  const active = () => owned(cx, POD, rs).filter(podActive);
  let pods = active();
  for (let i = pods.length; i < want; i++) {
    const name = uniqueName(cx, POD, ns, rs.metadata.name);
    const pod = cx.write(podFromTemplate(rs, rs.spec?.template ?? {}, name, {}, `${rs.metadata.name}-`), MANAGER);
    if (!pod) break;
    cx.event(rs, { type: "Normal", reason: "SuccessfulCreate", message: `Created pod: ${name}`, component: "replicaset-controller" });
  }
  if (pods.length > want) {
    const byRank = [...pods].sort((a, b) => deletionRank(a) - deletionRank(b) || String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)));
    for (const p of byRank.slice(0, pods.length - want)) {
      cx.remove(p);
      cx.event(rs, { type: "Normal", reason: "SuccessfulDelete", message: `Deleted pod: ${p.metadata.name}`, component: "replicaset-controller" });
    }
  }
  pods = active();
  const labels = rs.spec?.template?.metadata?.labels;
  const status = omitZero({
    replicas: pods.length,
    fullyLabeledReplicas: pods.filter((p) => selects({ matchLabels: labels ?? {} }, p.metadata.labels)).length,
    readyReplicas: pods.filter(podReady).length,
    availableReplicas: pods.filter((p) => podAvailable(cx, p, rs.spec?.minReadySeconds)).length,
    observedGeneration: rs.metadata.generation,
  }, ["replicas"]);
  cx.write({ ...rs, status }, MANAGER, "status");
}
