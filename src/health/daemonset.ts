// DaemonSet health: kubectl rollout status's logic for DaemonSets.
import type { KubeObject } from "../manifests/object.js";
import { fields, generationOf, int, specOf, statusOf } from "./fields.js";
import type { HealthResult } from "./status.js";

export function daemonSetHealth(ds: KubeObject): HealthResult {
  const status = statusOf(ds);
  const generation = generationOf(ds);
  const observed = int(status.observedGeneration);
  if (observed < generation) {
    return {
      status: "Progressing",
      reason: "ObservedGenerationBehind",
      message: `waiting for rollout to be observed (generation ${generation}, observed ${observed})`,
    };
  }

  const desired = int(status.desiredNumberScheduled);
  const updated = int(status.updatedNumberScheduled);
  const available = int(status.numberAvailable);
  // OnDelete: pods change only when someone deletes them, so there is no rollout to wait for.
  if (fields(specOf(ds).updateStrategy).type === "OnDelete") {
    return { status: "Healthy", message: `${updated} of ${desired} scheduled pods updated (updateStrategy OnDelete)` };
  }
  if (updated < desired) {
    return { status: "Progressing", reason: "RollingUpdate", message: `${updated} of ${desired} scheduled pods updated` };
  }
  if (available < desired) {
    return { status: "Progressing", reason: "WaitingForAvailable", message: `${available} of ${desired} updated pods available` };
  }
  return { status: "Healthy", message: `${available} of ${desired} scheduled pods updated and available` };
}
