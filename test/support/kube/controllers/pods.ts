// Pods as the workload controllers see them: ready, active, available, and
// built from a pod template.

import { int, ownerRef, parseTime, type Cx, type Obj } from "./shared.js";
import { isObj } from "../util.js";

export function podReady(pod: Obj): boolean {
  return (pod.status?.conditions ?? []).some((c: Obj) => c.type === "Ready" && c.status === "True");
}

export function podActive(pod: Obj): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !pod.metadata.deletionTimestamp;
}

/** Ready for at least minReadySeconds. */
export function podAvailable(cx: Cx, pod: Obj, minReadySeconds: unknown): boolean {
  if (!podReady(pod)) return false;
  const min = int(minReadySeconds) * 1000;
  if (min === 0) return true;
  const since = cx.runtimes.get(pod.metadata.uid)?.readySince
    ?? parseTime((pod.status?.conditions ?? []).find((c: Obj) => c.type === "Ready")?.lastTransitionTime);
  return since !== undefined && cx.now - since >= min;
}

/** A pod built from a template, controlled by owner. */
export function podFromTemplate(owner: Obj, template: Obj, name: string, labels: Record<string, string>, generateName?: string): Obj {
  const tm: Obj = isObj(template.metadata) ? template.metadata : {};
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      ...(generateName ? { generateName } : {}),
      namespace: owner.metadata.namespace,
      labels: { ...(tm.labels ?? {}), ...labels },
      ...(isObj(tm.annotations) ? { annotations: { ...tm.annotations } } : {}),
      ownerReferences: [ownerRef(owner)],
    },
    spec: structuredClone(template.spec ?? {}),
  };
}
