// The scheduler: binds each new pod to one of the pretend nodes (the one a
// DaemonSet pins it to, or round-robin among those its nodeSelector admits),
// or leaves it Pending with PodScheduled False, Unschedulable.

import { NODES, probed, selects, setCondition, time, type Cx, type Obj } from "./shared.js";

const UNSCHEDULABLE = "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.";
const NO_MATCH = "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.";

let roundRobin = 0;

/** The node a DaemonSet pins its pod to (node affinity on metadata.name). */
function pinnedNode(pod: Obj): string | undefined {
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms) for (const f of t?.matchFields ?? []) if (f?.key === "metadata.name" && f.operator === "In") return f.values?.[0];
  return undefined;
}

export function schedule(cx: Cx, pod: Obj): Obj | undefined {
  const pinned = pinnedNode(pod);
  const fits = NODES.filter((n) => (!pinned || n.name === pinned) && (!pod.spec?.nodeSelector || selects({ matchLabels: pod.spec.nodeSelector }, n.labels)));
  const starved = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].some((c) => cx.behaviourOf(String(c.image ?? "")) === "pending");
  if (starved || fits.length === 0) {
    const message = starved ? UNSCHEDULABLE : NO_MATCH;
    const now = time(cx.now);
    const conditions = setCondition(pod.status?.conditions, { type: "PodScheduled", status: "False", reason: "Unschedulable", message }, now).map(probed);
    const wasUnschedulable = (pod.status?.conditions ?? []).some((c: Obj) => c.type === "PodScheduled" && c.status === "False" && c.message === message);
    cx.write({ ...pod, status: { ...pod.status, phase: "Pending", conditions } }, "kube-scheduler", "status");
    if (!wasUnschedulable) cx.event(pod, { type: "Warning", reason: "FailedScheduling", message, component: "default-scheduler" });
    return undefined;
  }
  const node = fits[roundRobin++ % fits.length].name;
  const bound = cx.write({ ...pod, spec: { ...pod.spec, nodeName: node } }, "kube-scheduler");
  if (bound) cx.event(bound, { type: "Normal", reason: "Scheduled", message: `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node}`, component: "default-scheduler" });
  return bound;
}
