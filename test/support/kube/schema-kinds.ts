// Per-kind schemas (top-level fields) built from the pieces in schema.ts.

import { ANY, ATOMIC_MAP, LABEL_SELECTOR, L, MAP, OBJECT_META, OBJECT_REF, POD_SPEC, POD_TEMPLATE, RESOURCES, S, scalarFields, STRINGS, V, type Schema } from "./schema.js";

const selectorTemplate = { selector: LABEL_SELECTOR, template: POD_TEMPLATE };

const JOB_SPEC = S("parallelism completions activeDeadlineSeconds backoffLimit backoffLimitPerIndex maxFailedIndexes manualSelector ttlSecondsAfterFinished completionMode suspend podReplacementPolicy managedBy", {
  ...selectorTemplate, podFailurePolicy: ANY, successPolicy: ANY,
});
const POLICY_RULE = S("", { apiGroups: STRINGS, resources: STRINGS, verbs: STRINGS, resourceNames: STRINGS, nonResourceURLs: STRINGS });
const SUBJECTS = L(S("kind apiGroup name namespace"));
const ROLE_REF = S("apiGroup kind name");
const BACKEND = S("", { service: S("name", { port: S("name number") }), resource: S("apiGroup kind name") });

// Top-level fields besides apiVersion/kind/metadata, per "group/Kind".
const KINDS: Record<string, Record<string, Schema>> = {
  "/Namespace": { spec: S("", { finalizers: STRINGS }), status: ANY },
  "/ConfigMap": { data: MAP, binaryData: MAP, immutable: V },
  "/Secret": { data: MAP, stringData: MAP, type: V, immutable: V },
  "/Service": {
    spec: S("type clusterIP loadBalancerIP externalName externalTrafficPolicy healthCheckNodePort publishNotReadyAddresses sessionAffinity ipFamilyPolicy allocateLoadBalancerNodePorts loadBalancerClass internalTrafficPolicy trafficDistribution", {
      ports: L(S("name protocol appProtocol port targetPort nodePort"), "port", "protocol"),
      selector: ATOMIC_MAP, clusterIPs: STRINGS, externalIPs: STRINGS, loadBalancerSourceRanges: STRINGS, ipFamilies: STRINGS,
      sessionAffinityConfig: S("", { clientIP: S("timeoutSeconds") }),
    }),
    status: ANY,
  },
  "/ServiceAccount": { secrets: L(OBJECT_REF, "name"), imagePullSecrets: L(S("name"), "name"), automountServiceAccountToken: V },
  "/Pod": { spec: POD_SPEC, status: ANY },
  "/PersistentVolumeClaim": {
    spec: S("storageClassName volumeMode volumeName volumeAttributesClassName", {
      accessModes: STRINGS, selector: LABEL_SELECTOR, resources: RESOURCES, dataSource: S("apiGroup kind name"), dataSourceRef: S("apiGroup kind name namespace"),
    }),
    status: ANY,
  },
  "/Event": {
    ...scalarFields("reason message type count firstTimestamp lastTimestamp eventTime action reportingComponent reportingInstance"),
    involvedObject: OBJECT_REF, related: OBJECT_REF, source: S("component host"), series: S("count lastObservedTime"),
  },
  "apps/Deployment": {
    spec: S("replicas minReadySeconds revisionHistoryLimit paused progressDeadlineSeconds", { ...selectorTemplate, strategy: S("type", { rollingUpdate: S("maxUnavailable maxSurge") }) }),
    status: ANY,
  },
  "apps/StatefulSet": {
    spec: S("replicas serviceName podManagementPolicy revisionHistoryLimit minReadySeconds", {
      ...selectorTemplate, volumeClaimTemplates: L(ANY), updateStrategy: S("type", { rollingUpdate: S("partition maxUnavailable") }),
      persistentVolumeClaimRetentionPolicy: S("whenDeleted whenScaled"), ordinals: S("start"),
    }),
    status: ANY,
  },
  "apps/DaemonSet": {
    spec: S("minReadySeconds revisionHistoryLimit", { ...selectorTemplate, updateStrategy: S("type", { rollingUpdate: S("maxUnavailable maxSurge") }) }),
    status: ANY,
  },
  "apps/ReplicaSet": { spec: S("replicas minReadySeconds", selectorTemplate), status: ANY },
  "batch/Job": { spec: JOB_SPEC, status: ANY },
  "batch/CronJob": {
    spec: S("schedule timeZone startingDeadlineSeconds concurrencyPolicy suspend successfulJobsHistoryLimit failedJobsHistoryLimit", {
      jobTemplate: S("", { metadata: OBJECT_META, spec: JOB_SPEC }),
    }),
    status: ANY,
  },
  "rbac.authorization.k8s.io/Role": { rules: L(POLICY_RULE) },
  "rbac.authorization.k8s.io/ClusterRole": { rules: L(POLICY_RULE), aggregationRule: S("", { clusterRoleSelectors: L(LABEL_SELECTOR) }) },
  "rbac.authorization.k8s.io/RoleBinding": { subjects: SUBJECTS, roleRef: ROLE_REF },
  "rbac.authorization.k8s.io/ClusterRoleBinding": { subjects: SUBJECTS, roleRef: ROLE_REF },
  "networking.k8s.io/Ingress": {
    spec: S("ingressClassName", {
      defaultBackend: BACKEND,
      tls: L(S("secretName", { hosts: STRINGS })),
      rules: L(S("host", { http: S("", { paths: L(S("path pathType", { backend: BACKEND })) }) })),
    }),
    status: ANY,
  },
  "coordination.k8s.io/Lease": { spec: S("holderIdentity leaseDurationSeconds acquireTime renewTime leaseTransitions strategy preferredHolder") },
  "policy/PodDisruptionBudget": { spec: S("minAvailable maxUnavailable unhealthyPodEvictionPolicy", { selector: LABEL_SELECTOR }), status: ANY },
  // Simplification: a CRD's spec and status are free-form here (no validation of the CRD itself).
  "apiextensions.k8s.io/CustomResourceDefinition": { spec: ANY, status: ANY },
};

const cache = new Map<string, Schema>();

/** The root schema of an object of group/kind. Custom kinds get an open root: any field is accepted. */
export function schemaFor(group: string, kind: string): Schema {
  const key = `${group}/${kind}`;
  let s = cache.get(key);
  if (!s) {
    const fields = KINDS[key];
    // Simplification: custom objects are not validated against the CRD's openAPIV3Schema.
    s = fields ? S("apiVersion kind", { metadata: OBJECT_META, ...fields }) : S("apiVersion kind", { metadata: OBJECT_META }, { open: true });
    cache.set(key, s);
  }
  return s;
}

export function isKnownKind(group: string, kind: string): boolean {
  return `${group}/${kind}` in KINDS;
}
