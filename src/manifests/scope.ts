// Which kinds are namespaced, for defaulting metadata.namespace. Discovery
// (namespacedKind) is authoritative; CRDs in the same tree answer for their
// own kinds (they may not be installed yet); the table covers built-ins and
// common add-ons when neither knows. Unknown kinds count as namespaced, as
// most custom resources are.
import { groupOf, type DesiredObject } from "./object.js";

const CLUSTER_SCOPED = new Set([
  "/Namespace", "/Node", "/PersistentVolume", "/ComponentStatus",
  "rbac.authorization.k8s.io/ClusterRole", "rbac.authorization.k8s.io/ClusterRoleBinding",
  "apiextensions.k8s.io/CustomResourceDefinition",
  "apiregistration.k8s.io/APIService",
  "scheduling.k8s.io/PriorityClass",
  "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
  "admissionregistration.k8s.io/MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicy",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
  "admissionregistration.k8s.io/MutatingAdmissionPolicy",
  "admissionregistration.k8s.io/MutatingAdmissionPolicyBinding",
  "networking.k8s.io/IngressClass", "networking.k8s.io/IPAddress", "networking.k8s.io/ServiceCIDR",
  "node.k8s.io/RuntimeClass",
  "storage.k8s.io/StorageClass", "storage.k8s.io/CSIDriver", "storage.k8s.io/CSINode",
  "storage.k8s.io/VolumeAttachment", "storage.k8s.io/VolumeAttributesClass",
  "snapshot.storage.k8s.io/VolumeSnapshotClass", "snapshot.storage.k8s.io/VolumeSnapshotContent",
  "certificates.k8s.io/CertificateSigningRequest", "certificates.k8s.io/ClusterTrustBundle",
  "flowcontrol.apiserver.k8s.io/FlowSchema", "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration",
  "policy/PodSecurityPolicy",
  "resource.k8s.io/DeviceClass", "resource.k8s.io/ResourceSlice",
  "gateway.networking.k8s.io/GatewayClass",
  "cert-manager.io/ClusterIssuer",
  "external-secrets.io/ClusterSecretStore", "external-secrets.io/ClusterExternalSecret",
  "kyverno.io/ClusterPolicy",
]);

export type NamespacedKind = (apiVersion: string, kind: string) => boolean | undefined;

/** Built-in answer: false for the known cluster-scoped kinds. */
export function namespacedByTable(apiVersion: string, kind: string): boolean {
  return !CLUSTER_SCOPED.has(`${groupOf(apiVersion)}/${kind}`);
}

/** Scopes declared by CustomResourceDefinitions in the loaded set. */
function crdScopes(objs: DesiredObject[]): Map<string, boolean> {
  const scopes = new Map<string, boolean>();
  for (const { object } of objs) {
    if (object.kind !== "CustomResourceDefinition" || groupOf(object.apiVersion) !== "apiextensions.k8s.io") continue;
    const spec = object.spec as { group?: unknown; scope?: unknown; names?: { kind?: unknown } } | undefined;
    if (typeof spec?.group !== "string" || typeof spec.names?.kind !== "string") continue;
    scopes.set(`${spec.group}/${spec.names.kind}`, spec.scope !== "Cluster");
  }
  return scopes;
}

/**
 * Sets metadata.namespace on namespaced objects that lack one, and removes it
 * from cluster-scoped ones (kubectl ignores it there; keeping it would give
 * the object an identity that never matches the live one).
 */
export function applyNamespaces(objs: DesiredObject[], defaultNamespace: string | undefined, discovered?: NamespacedKind): void {
  const fromCrds = crdScopes(objs);
  for (const { object } of objs) {
    const meta = object.metadata;
    const namespaced =
      discovered?.(object.apiVersion, object.kind) ??
      fromCrds.get(`${groupOf(object.apiVersion)}/${object.kind}`) ??
      namespacedByTable(object.apiVersion, object.kind);
    if (!namespaced) {
      delete meta.namespace;
      continue;
    }
    if (meta.namespace === "" || meta.namespace === null) delete meta.namespace;
    if (meta.namespace === undefined && defaultNamespace) meta.namespace = defaultNamespace;
  }
}
