// A compact structural schema for the built-in kinds: enough to reject unknown
// fields like the API server does and to merge/own fields like server-side apply.
// Simplification: only field *names* are checked (no types, formats or enums), and
// some deep or rarely used subtrees (affinity, most volume sources, statuses) are
// free-form ("any").

export type Schema =
  | { t: "scalar" }
  | { t: "any" } // unknown structure: maps merge per key, lists are atomic (SSA's "deduced" type)
  | { t: "struct"; fields: Record<string, Schema>; atomic?: boolean; open?: boolean }
  | { t: "map"; values: Schema; atomic?: boolean } // free-form keys (labels, data, resources.limits)
  | { t: "list"; item: Schema; keys?: string[] }; // with keys: an associative list (merge by key); without: atomic

export const V: Schema = { t: "scalar" };
export const ANY: Schema = { t: "any" };
export const MAP: Schema = { t: "map", values: V };
export const ATOMIC_MAP: Schema = { t: "map", values: V, atomic: true };

/** A struct: space-separated scalar field names, then nested fields. */
export function S(scalars: string, nested: Record<string, Schema> = {}, opts: { atomic?: boolean; open?: boolean } = {}): Schema {
  const fields: Record<string, Schema> = {};
  for (const f of scalars.split(/\s+/)) if (f) fields[f] = V;
  Object.assign(fields, nested);
  return { t: "struct", fields, ...opts };
}
/** A list: associative when keys are given, atomic otherwise. */
export function L(item: Schema, ...keys: string[]): Schema {
  return keys.length ? { t: "list", item, keys } : { t: "list", item };
}
export function scalarFields(names: string): Record<string, Schema> {
  return Object.fromEntries(names.split(/\s+/).filter(Boolean).map((n) => [n, V]));
}
export function anyFields(names: string): Record<string, Schema> {
  return Object.fromEntries(names.split(/\s+/).filter(Boolean).map((n) => [n, ANY]));
}
const strings = L(V);

export const OBJECT_META = S("name generateName namespace selfLink uid resourceVersion generation creationTimestamp deletionTimestamp deletionGracePeriodSeconds", {
  labels: MAP,
  annotations: MAP,
  finalizers: strings, // simplification: a set in the real schema, atomic here
  ownerReferences: L(S("apiVersion kind name uid controller blockOwnerDeletion"), "uid"),
  managedFields: L(S("manager operation apiVersion time fieldsType subresource", { fieldsV1: ANY })),
});

export const LABEL_SELECTOR = S("", { matchLabels: MAP, matchExpressions: L(S("key operator", { values: strings })) }, { atomic: true });
const OBJECT_REF = S("kind namespace name uid apiVersion resourceVersion fieldPath");
const RESOURCES = S("", { limits: MAP, requests: MAP, claims: L(S("name request"), "name") });
const KEY_TO_PATH = L(S("key path mode"));

const HANDLER = S("", { exec: S("", { command: strings }), httpGet: S("path port host scheme", { httpHeaders: L(S("name value")) }), tcpSocket: S("port host"), sleep: S("seconds") });
const PROBE = S("initialDelaySeconds timeoutSeconds periodSeconds successThreshold failureThreshold terminationGracePeriodSeconds", {
  exec: S("", { command: strings }), httpGet: S("path port host scheme", { httpHeaders: L(S("name value")) }), tcpSocket: S("port host"), grpc: S("port service"),
});
const PROFILE = S("type localhostProfile");
const SE_LINUX = S("user role type level");
const WINDOWS = S("gmsaCredentialSpecName gmsaCredentialSpec runAsUserName hostProcess");
const SECURITY_CONTEXT = S("privileged runAsUser runAsGroup runAsNonRoot readOnlyRootFilesystem allowPrivilegeEscalation procMount", {
  capabilities: S("", { add: strings, drop: strings }), seLinuxOptions: SE_LINUX, windowsOptions: WINDOWS, seccompProfile: PROFILE, appArmorProfile: PROFILE,
});
const POD_SECURITY_CONTEXT = S("runAsUser runAsGroup runAsNonRoot fsGroup fsGroupChangePolicy supplementalGroupsPolicy seLinuxChangePolicy", {
  supplementalGroups: strings, seLinuxOptions: SE_LINUX, windowsOptions: WINDOWS, seccompProfile: PROFILE, appArmorProfile: PROFILE, sysctls: L(S("name value")),
});
const NAME_KEY_REF = S("name key optional");

export const CONTAINER = S("name image workingDir imagePullPolicy terminationMessagePath terminationMessagePolicy stdin stdinOnce tty restartPolicy", {
  command: strings,
  args: strings,
  // Simplification: keyed by containerPort (+protocol, defaulted to TCP), as the real schema does.
  ports: L(S("name hostPort containerPort protocol hostIP"), "containerPort", "protocol"),
  envFrom: L(S("prefix", { configMapRef: S("name optional"), secretRef: S("name optional") })),
  env: L(S("name value", { valueFrom: S("", { fieldRef: S("apiVersion fieldPath"), resourceFieldRef: S("containerName resource divisor"), configMapKeyRef: NAME_KEY_REF, secretKeyRef: NAME_KEY_REF }) }), "name"),
  resources: RESOURCES,
  resizePolicy: L(S("resourceName restartPolicy"), "resourceName"),
  volumeMounts: L(S("name readOnly recursiveReadOnly mountPath subPath mountPropagation subPathExpr"), "mountPath"),
  volumeDevices: L(S("name devicePath"), "devicePath"),
  livenessProbe: PROBE,
  readinessProbe: PROBE,
  startupProbe: PROBE,
  lifecycle: S("stopSignal", { postStart: HANDLER, preStop: HANDLER }),
  securityContext: SECURITY_CONTEXT,
});

const VOLUME = S("name", {
  configMap: S("name defaultMode optional", { items: KEY_TO_PATH }),
  secret: S("secretName defaultMode optional", { items: KEY_TO_PATH }),
  emptyDir: S("medium sizeLimit"),
  hostPath: S("path type"),
  persistentVolumeClaim: S("claimName readOnly"),
  projected: S("defaultMode", { sources: L(ANY) }),
  downwardAPI: S("defaultMode", { items: L(ANY) }),
  csi: S("driver readOnly fsType", { volumeAttributes: MAP, nodePublishSecretRef: S("name") }),
  nfs: S("server path readOnly"),
  image: S("reference pullPolicy"),
  ...anyFields("ephemeral awsElasticBlockStore gcePersistentDisk azureDisk azureFile cephfs cinder fc flexVolume flocker gitRepo glusterfs iscsi photonPersistentDisk portworxVolume quobyte rbd scaleIO storageos vsphereVolume"),
});

export const POD_SPEC = S("restartPolicy terminationGracePeriodSeconds activeDeadlineSeconds dnsPolicy serviceAccountName serviceAccount automountServiceAccountToken nodeName hostNetwork hostPID hostIPC shareProcessNamespace hostname subdomain schedulerName priorityClassName priority preemptionPolicy runtimeClassName enableServiceLinks setHostnameAsFQDN hostUsers", {
  nodeSelector: ATOMIC_MAP,
  containers: L(CONTAINER, "name"),
  initContainers: L(CONTAINER, "name"),
  ephemeralContainers: L(ANY, "name"),
  volumes: L(VOLUME, "name"),
  imagePullSecrets: L(S("name"), "name"),
  securityContext: POD_SECURITY_CONTEXT,
  affinity: ANY,
  tolerations: L(S("key operator value effect tolerationSeconds")),
  hostAliases: L(S("ip", { hostnames: strings }), "ip"),
  dnsConfig: S("", { nameservers: strings, searches: strings, options: L(S("name value")) }),
  readinessGates: L(S("conditionType")),
  topologySpreadConstraints: L(S("maxSkew topologyKey whenUnsatisfiable minDomains nodeAffinityPolicy nodeTaintsPolicy", { labelSelector: LABEL_SELECTOR, matchLabelKeys: strings }), "topologyKey", "whenUnsatisfiable"),
  overhead: MAP,
  os: S("name"),
  schedulingGates: L(S("name"), "name"),
  resourceClaims: L(S("name resourceClaimName resourceClaimTemplateName"), "name"),
  resources: RESOURCES,
});

export const POD_TEMPLATE = S("", { metadata: OBJECT_META, spec: POD_SPEC });

export { OBJECT_REF, RESOURCES, strings as STRINGS };
