// Deployment health: kubectl rollout status's logic (Paused first, as Argo CD
// does). Crashing pods are detected earlier by pods.ts, not here.
import type { KubeObject } from "../manifests/object.js";
import { conditionOf, count, generationOf, int, specOf, statusOf } from "./fields.js";
import type { HealthResult } from "./status.js";

export function deploymentHealth(deployment: KubeObject): HealthResult {
  const spec = specOf(deployment);
  const status = statusOf(deployment);
  if (spec.paused === true) {
    return { status: "Suspended", reason: "Paused", message: "rollout is paused (spec.paused: true)" };
  }

  // Until the controller has seen the latest spec, every other field describes the previous one.
  const generation = generationOf(deployment);
  const observed = int(status.observedGeneration);
  if (observed < generation) {
    return {
      status: "Progressing",
      reason: "ObservedGenerationBehind",
      message: `waiting for rollout to be observed (generation ${generation}, observed ${observed})`,
    };
  }

  const progressing = conditionOf(deployment, "Progressing");
  if (progressing?.reason === "ProgressDeadlineExceeded") {
    return {
      status: "Degraded",
      reason: "ProgressDeadlineExceeded",
      message: progressing.message ?? `deployment "${deployment.metadata.name}" exceeded its progress deadline`,
    };
  }

  const desired = int(spec.replicas, 1);
  const replicas = int(status.replicas);
  const updated = int(status.updatedReplicas);
  const available = int(status.availableReplicas);
  if (updated < desired) {
    return { status: "Progressing", reason: "RollingUpdate", message: `${updated} of ${desired} updated replicas` };
  }
  if (replicas > updated) {
    const old = replicas - updated;
    return { status: "Progressing", reason: "OldReplicasPending", message: `${count(old, "old replica")} pending termination` };
  }
  if (available < updated) {
    return { status: "Progressing", reason: "WaitingForAvailable", message: `${available} of ${updated} updated replicas available` };
  }
  return { status: "Healthy", message: `${count(updated, "replica")} updated and available` };
}
