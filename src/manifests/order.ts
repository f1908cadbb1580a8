// Apply order: what others depend on goes first (CRDs before their custom
// resources, namespaces before their contents, RBAC and config before the
// workloads that use them), after Helm's install order. Kinds not listed
// (custom resources…) come after those and before LATE. Deletion (prune)
// uses the reverse. The one order for deploys and for plans.
import { idKey, idOf, type DesiredObject, type KubeObject } from "./object.js";

const ORDER = [
  "CustomResourceDefinition",
  "Namespace",
  "PriorityClass",
  "RuntimeClass",
  "NetworkPolicy",
  "ResourceQuota",
  "LimitRange",
  "PodSecurityPolicy",
  "ServiceAccount",
  "ClusterRole",
  "ClusterRoleBinding",
  "Role",
  "RoleBinding",
  "ConfigMap",
  "Secret",
  "StorageClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "Service",
  "DaemonSet",
  "Pod",
  "ReplicationController",
  "ReplicaSet",
  "Deployment",
  "StatefulSet",
  "Job",
  "CronJob",
  "HorizontalPodAutoscaler",
  "PodDisruptionBudget",
  "IngressClass",
  "Ingress",
];
// Admission webhooks, admission policies and aggregated APIs point at what is
// deployed alongside them; registered too early, they block every later write.
const LATE = ["APIService", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];
const RANK = new Map<string, number>([...ORDER.map((k, i) => [k, i] as const), ...LATE.map((k, i) => [k, ORDER.length + 1 + i] as const)]);

/** Position of a kind in the apply order; unknown kinds sit between the known ones and LATE. */
export function kindOrder(kind: string): number {
  return RANK.get(kind) ?? ORDER.length;
}

function objectOf(o: DesiredObject | KubeObject): KubeObject {
  return typeof (o as KubeObject).apiVersion === "string" ? (o as KubeObject) : (o as DesiredObject).object;
}

/** A sorted copy: by kindOrder, then by identity key (stable across runs). */
export function sortObjects<T extends DesiredObject | KubeObject>(objs: readonly T[]): T[] {
  const keyed = objs.map((o) => {
    const obj = objectOf(o);
    return { o, rank: kindOrder(obj.kind), key: idKey(idOf(obj)) };
  });
  keyed.sort((a, b) => a.rank - b.rank || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.o);
}
