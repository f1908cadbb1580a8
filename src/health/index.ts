// Health of one live object: dispatch by group/kind to one assessor per kind,
// then, for workloads, let the pods of the current rollout fail it early.
import { groupOf, type KubeObject } from "../manifests/object.js";
import { crdHealth } from "./crd.js";
import { daemonSetHealth } from "./daemonset.js";
import { deploymentHealth } from "./deployment.js";
import { genericHealth } from "./generic.js";
import { hpaHealth } from "./hpa.js";
import { jobHealth } from "./job.js";
import { podHealth } from "./pod.js";
import { podsFailure } from "./pods.js";
import { pvcHealth } from "./pvc.js";
import { replicaSetHealth } from "./replicaset.js";
import type { HealthOptions, HealthResult, RelatedObjects } from "./status.js";
import { serviceHealth } from "./service.js";
import { statefulSetHealth } from "./statefulset.js";

export { describeHealth, HEALTH_ORDER, isWorse, worstOf } from "./status.js";
export type { HealthOptions, HealthResult, HealthStatus, RelatedObjects } from "./status.js";
export { DEFAULT_RESTART_THRESHOLD, FAILING_WAITING_REASONS, podFailure, podsFailure } from "./pods.js";
export { newestReplicaSet, podsOfRollout } from "./rollout.js";
export { looksFailed } from "./generic.js";

type Assessor = (obj: KubeObject, opts: HealthOptions) => HealthResult;

/** Keyed "group/Kind"; everything else gets genericHealth. */
const ASSESSORS: Record<string, Assessor> = {
  "apps/Deployment": deploymentHealth,
  "extensions/Deployment": deploymentHealth,
  "apps/StatefulSet": statefulSetHealth,
  "apps/DaemonSet": daemonSetHealth,
  "extensions/DaemonSet": daemonSetHealth,
  "apps/ReplicaSet": replicaSetHealth,
  "extensions/ReplicaSet": replicaSetHealth,
  "batch/Job": jobHealth,
  "/Pod": podHealth,
  "/PersistentVolumeClaim": pvcHealth,
  "/Service": serviceHealth,
  "apiextensions.k8s.io/CustomResourceDefinition": crdHealth,
  "autoscaling/HorizontalPodAutoscaler": hpaHealth,
};

/** Kinds whose pods are given in `related.pods` and checked for fast failure. */
const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"]);

export function assessHealth(obj: KubeObject | undefined, related: RelatedObjects = {}, opts: HealthOptions = {}): HealthResult {
  if (!obj) return { status: "Missing", reason: "NotFound", message: "object does not exist in the cluster" };
  if (obj.metadata.deletionTimestamp) return { status: "Progressing", reason: "Terminating", message: "pending deletion" };

  const key = `${groupOf(obj.apiVersion)}/${obj.kind}`;
  const assess = ASSESSORS[key] ?? genericHealth;
  let result: HealthResult;
  try {
    result = assess(obj, opts);
  } catch (error) {
    return { status: "Unknown", reason: "AssessmentFailed", message: error instanceof Error ? error.message : String(error) };
  }

  if (!WORKLOADS.has(obj.kind) || !(key in ASSESSORS) || !related.pods?.length) return result;
  // A finished Job's retried pods are history: its own conditions are final.
  if (obj.kind === "Job" && result.status !== "Progressing") return result;
  // A failing pod of the current rollout names the cause; it wins over
  // Progressing and over ProgressDeadlineExceeded alike.
  return podsFailure(related.pods, opts) ?? result;
}
