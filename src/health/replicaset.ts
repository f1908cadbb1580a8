// ReplicaSet health: a failed pod creation (quota, admission) is a failure;
// otherwise wait until the desired number of replicas is available.
import type { KubeObject } from "../manifests/object.js";
import { conditionOf, generationOf, int, specOf, statusOf } from "./fields.js";
import type { HealthResult } from "./status.js";

export function replicaSetHealth(rs: KubeObject): HealthResult {
  const status = statusOf(rs);
  const generation = generationOf(rs);
  const observed = int(status.observedGeneration);
  if (observed < generation) {
    return {
      status: "Progressing",
      reason: "ObservedGenerationBehind",
      message: `waiting for rollout to be observed (generation ${generation}, observed ${observed})`,
    };
  }

  const failure = conditionOf(rs, "ReplicaFailure");
  if (failure?.status === "True") {
    return { status: "Degraded", reason: failure.reason ?? "ReplicaFailure", message: failure.message ?? "pods could not be created" };
  }

  const desired = int(specOf(rs).replicas, 1);
  const available = int(status.availableReplicas);
  if (available < desired) {
    return { status: "Progressing", reason: "WaitingForAvailable", message: `${available} of ${desired} replicas available` };
  }
  return { status: "Healthy", message: `${available} of ${desired} replicas available` };
}
