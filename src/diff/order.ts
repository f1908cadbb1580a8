// Apply order: what others depend on goes first (CRDs before their custom
// resources, Namespaces before their contents, RBAC and config before the
// workloads that use them). Close to Helm's install order.
const EARLY = [
  "CustomResourceDefinition",
  "Namespace",
  "PriorityClass",
  "StorageClass",
  "ResourceQuota",
  "LimitRange",
  "NetworkPolicy",
  "ServiceAccount",
  "ClusterRole",
  "ClusterRoleBinding",
  "Role",
  "RoleBinding",
  "ConfigMap",
  "Secret",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "Service",
  "DaemonSet",
  "Deployment",
  "ReplicaSet",
  "StatefulSet",
  "Job",
  "CronJob",
  "Pod",
  "PodDisruptionBudget",
  "HorizontalPodAutoscaler",
  "IngressClass",
  "Ingress",
];
// Admission webhooks and aggregated APIs point at Services deployed alongside
// them; registered too early, they block every later write until those run.
const LATE = ["APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

const RANK = new Map<string, number>([...EARLY.map((k, i) => [k, i] as const), ...LATE.map((k, i) => [k, EARLY.length + 1 + i] as const)]);

/** Lower applies first; kinds not listed (custom resources…) sit between EARLY and LATE. */
export function kindRank(kind: string): number {
  return RANK.get(kind) ?? EARLY.length;
}
