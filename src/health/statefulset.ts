// StatefulSet health: kubectl rollout status's logic for StatefulSets.
import type { KubeObject } from "../manifests/object.js";
import { count, fields, generationOf, int, specOf, statusOf, text } from "./fields.js";
import type { HealthResult } from "./status.js";

export function statefulSetHealth(sts: KubeObject): HealthResult {
  const spec = specOf(sts);
  const status = statusOf(sts);
  const generation = generationOf(sts);
  const observed = int(status.observedGeneration);
  if (observed === 0 || observed < generation) {
    return {
      status: "Progressing",
      reason: "ObservedGenerationBehind",
      message: `waiting for rollout to be observed (generation ${generation}, observed ${observed})`,
    };
  }

  const desired = int(spec.replicas, 1);
  const ready = int(status.readyReplicas);
  if (ready < desired) {
    return { status: "Progressing", reason: "WaitingForReady", message: `${ready} of ${desired} replicas ready` };
  }

  const strategy = fields(spec.updateStrategy);
  // OnDelete: pods change only when someone deletes them, so there is no rollout to wait for.
  if (strategy.type === "OnDelete") {
    return { status: "Healthy", message: `${count(ready, "ready replica")} (updateStrategy OnDelete)` };
  }

  const updated = int(status.updatedReplicas);
  const partition = int(fields(strategy.rollingUpdate).partition);
  if (partition > 0) {
    // Pods below the partition keep the old revision on purpose: the revisions never converge.
    const target = Math.max(desired - partition, 0);
    if (updated < target) {
      return { status: "Progressing", reason: "RollingUpdate", message: `${updated} of ${target} replicas above partition ${partition} updated` };
    }
    return { status: "Healthy", message: `partitioned rollout complete: ${count(updated, "replica")} updated` };
  }

  const updateRevision = text(status.updateRevision);
  const currentRevision = text(status.currentRevision);
  if (updateRevision !== currentRevision) {
    return {
      status: "Progressing",
      reason: "RollingUpdate",
      message: `${updated} of ${desired} replicas updated to revision ${updateRevision ?? "(unknown)"}`,
    };
  }
  return { status: "Healthy", message: `${count(ready, "replica")} ready at revision ${currentRevision ?? "(unknown)"}` };
}
