// Changes a reviewer must opt into explicitly (policy decides how): anything
// that loses data or cannot be applied in place.
import { describeId, groupKind } from "../manifests/object.js";
import type { KubeObject, ObjectId } from "../manifests/object.js";
import type { Action } from "./plan.js";
import { deepEqual } from "./equal.js";

/** Fields the API server refuses to change in place, by "Kind.group" (core kinds bare). */
const IMMUTABLE: Record<string, string[][]> = {
  "Deployment.apps": [["spec", "selector"]],
  "ReplicaSet.apps": [["spec", "selector"]],
  "DaemonSet.apps": [["spec", "selector"]],
  "StatefulSet.apps": [["spec", "selector"], ["spec", "volumeClaimTemplates"], ["spec", "serviceName"], ["spec", "podManagementPolicy"]],
  "Job.batch": [["spec", "selector"], ["spec", "template"]],
  Service: [["spec", "clusterIP"], ["spec", "clusterIPs"]],
  PersistentVolumeClaim: [["spec", "storageClassName"], ["spec", "accessModes"], ["spec", "volumeName"]],
};

/** ConfigMaps and Secrets marked `immutable: true` keep their data for life. */
const IMMUTABLE_WHEN_FLAGGED: Record<string, string[][]> = {
  ConfigMap: [["data"], ["binaryData"]],
  Secret: [["data"], ["stringData"]],
};

function at(obj: unknown, path: string[]): unknown {
  let node = obj;
  for (const key of path) node = node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

function immutableChanges(gk: string, live: KubeObject, predicted: KubeObject): string[] {
  const paths = [...(IMMUTABLE[gk] ?? []), ...(live.immutable === true ? (IMMUTABLE_WHEN_FLAGGED[gk] ?? []) : [])];
  // Only a value predicted sets can conflict: an omitted field keeps the live value.
  return paths.filter((p) => at(predicted, p) !== undefined && !deepEqual(at(live, p), at(predicted, p))).map((p) => p.join("."));
}

/** Human reasons this change is dangerous; [] when it is not. Objects should be normalised/masked. */
export function detectDangers(action: Action, id: ObjectId, live: KubeObject | undefined, predicted: KubeObject | undefined): string[] {
  if (action === "unchanged") return [];
  const gk = groupKind(id);
  if (gk === "Namespace") {
    if (action === "delete") return ["deletes a Namespace: every object in it is lost"];
    return [action === "create" ? "creates a Namespace" : "changes a Namespace"];
  }
  if (gk === "CustomResourceDefinition.apiextensions.k8s.io") {
    if (action === "delete") return ["deletes a CustomResourceDefinition: every custom resource of it is lost"];
    return [action === "create" ? "creates a CustomResourceDefinition: a new API for the whole cluster" : "changes a CustomResourceDefinition: every custom resource of it is affected"];
  }
  if (action === "delete") return [`deletes ${describeId(id)}`];
  if (action !== "update" || !live || !predicted) return [];
  return immutableChanges(gk, live, predicted).map((field) => `changes immutable field ${field}: the object will be re-created`);
}
