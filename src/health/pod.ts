// Pod health: the phase, refined by the container states (pods.ts) so that a
// pod stuck pulling or crash-looping is Degraded rather than Pending/Running.
import type { KubeObject } from "../manifests/object.js";
import { conditionOf, fieldList, fields, int, specOf, statusOf, text } from "./fields.js";
import { podFailure } from "./pods.js";
import type { HealthOptions, HealthResult } from "./status.js";

export function podHealth(pod: KubeObject, opts: HealthOptions = {}): HealthResult {
  const status = statusOf(pod);
  const phase = text(status.phase);
  if (phase === "Succeeded") return { status: "Healthy", reason: "Completed", message: "pod ran to completion" };
  if (phase === "Failed") {
    return { status: "Degraded", reason: text(status.reason) ?? "PodFailed", message: text(status.message) ?? failedContainers(pod) };
  }

  const failure = podFailure(pod, opts);
  if (failure) return failure;

  if (phase === "Pending") {
    const scheduled = conditionOf(pod, "PodScheduled");
    if (scheduled?.status === "False") {
      return { status: "Progressing", reason: scheduled.reason ?? "Unschedulable", message: scheduled.message ?? "pod is not scheduled yet" };
    }
    return { status: "Progressing", reason: "Pending", message: text(status.message) ?? "pod is starting" };
  }
  if (phase === "Running") {
    // Pods that run to completion (hooks, one-off tasks) are not done while running.
    const restartPolicy = text(specOf(pod).restartPolicy) ?? "Always";
    if (restartPolicy !== "Always") return { status: "Progressing", reason: "Running", message: "pod is running to completion" };
    const ready = conditionOf(pod, "Ready");
    if (ready?.status === "True") return { status: "Healthy", message: "pod is running and ready" };
    return { status: "Progressing", reason: ready?.reason ?? "NotReady", message: ready?.message ?? "pod is running but not ready" };
  }
  return { status: "Unknown", reason: phase ?? "NoPhase", message: text(status.message) ?? "pod phase is unknown" };
}

function failedContainers(pod: KubeObject): string {
  const status = statusOf(pod);
  for (const cs of [...fieldList(status.initContainerStatuses), ...fieldList(status.containerStatuses)]) {
    const terminated = fields(fields(cs.state).terminated);
    if (terminated.exitCode !== undefined && int(terminated.exitCode) !== 0) {
      return `container ${text(cs.name)} ${text(terminated.reason) ?? "failed"} with exit code ${int(terminated.exitCode)}`;
    }
  }
  return "pod failed";
}
