// Server-side defaulting, so that stored and dry-run objects differ from the
// manifest the way real ones do. Covered (a subset of the real defaulters):
// - Deployment: replicas 1, strategy RollingUpdate 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600
// - StatefulSet, DaemonSet, ReplicaSet, Job, CronJob: their replicas/strategy/limits/policies
// - pod templates and Pods: restartPolicy, terminationGracePeriodSeconds, dnsPolicy, securityContext, schedulerName;
//   containers: imagePullPolicy (Always for :latest or no tag), terminationMessagePath/Policy, resources {},
//   port protocol TCP, probe timeouts/periods/thresholds
// - Job: the controller-uid selector and template labels
// - Service: type ClusterIP, clusterIP(s) from 10.96.0.0/16, ipFamilies, sessionAffinity None, internalTrafficPolicy,
//   port protocol TCP and targetPort = port, nodePorts for NodePort/LoadBalancer
// - Namespace: label kubernetes.io/metadata.name, spec.finalizers, status.phase Active
// - Secret type Opaque and stringData folded into data; PVC volumeMode; CRD acceptedNames/conditions
// - initial status ({} or the kind's first phase) for kinds with a status subresource

import type { ResourceType } from "./discovery.js";
import { isObj, rfc3339, type Obj } from "./util.js";

export class Allocator {
  private ip = 10;
  private port = 30000;
  clusterIP(): string {
    const n = this.ip++;
    return `10.96.${(n >> 8) & 255}.${n & 255}`;
  }
  nodePort(): number {
    return this.port++;
  }
}

export function pullPolicy(image: string): string {
  if (image.includes("@")) return "IfNotPresent";
  const last = image.slice(image.lastIndexOf("/") + 1);
  const colon = last.lastIndexOf(":");
  const tag = colon < 0 ? "" : last.slice(colon + 1);
  return tag === "" || tag === "latest" ? "Always" : "IfNotPresent";
}

function probe(p: unknown): void {
  if (!isObj(p)) return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  if (isObj(p.httpGet)) p.httpGet.scheme ??= "HTTP";
}

function container(c: unknown): void {
  if (!isObj(c)) return;
  if (typeof c.image === "string") c.imagePullPolicy ??= pullPolicy(c.image);
  c.terminationMessagePath ??= "/dev/termination-log";
  c.terminationMessagePolicy ??= "File";
  c.resources ??= {};
  if (Array.isArray(c.ports)) for (const p of c.ports) if (isObj(p)) p.protocol ??= "TCP";
  probe(c.livenessProbe);
  probe(c.readinessProbe);
  probe(c.startupProbe);
}

function podSpec(spec: unknown, job: boolean): void {
  if (!isObj(spec)) return;
  if (!job) spec.restartPolicy ??= "Always";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= "ClusterFirst";
  spec.securityContext ??= {};
  spec.schedulerName ??= "default-scheduler";
  for (const list of [spec.containers, spec.initContainers]) if (Array.isArray(list)) list.forEach(container);
}

function template(spec: Obj, job = false): void {
  if (isObj(spec.template)) podSpec(spec.template.spec, job);
}

function jobSpec(spec: unknown, uid: string | undefined, name: string, create: boolean): void {
  if (!isObj(spec)) return;
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  spec.parallelism ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= "NonIndexed";
  spec.suspend ??= false;
  if (spec.podFailurePolicy === undefined) spec.podReplacementPolicy ??= "TerminatingOrFailed";
  if (create && uid && !spec.manualSelector && isObj(spec.template)) {
    spec.selector ??= { matchLabels: { "batch.kubernetes.io/controller-uid": uid } };
    const meta = (spec.template.metadata ??= {});
    meta.labels = { "batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": name, "controller-uid": uid, "job-name": name, ...(meta.labels ?? {}) };
  }
  template(spec, true);
}

function service(obj: Obj, old: Obj | undefined, alloc: Allocator): void {
  const spec = (obj.spec ??= {});
  const prev = isObj(old?.spec) ? old.spec : {};
  spec.type ??= "ClusterIP";
  if (spec.type !== "ExternalName") {
    spec.clusterIP ??= prev.clusterIP ?? alloc.clusterIP();
    spec.clusterIPs ??= prev.clusterIP === spec.clusterIP && prev.clusterIPs ? prev.clusterIPs : [spec.clusterIP];
    spec.ipFamilies ??= ["IPv4"];
    spec.ipFamilyPolicy ??= "SingleStack";
    spec.internalTrafficPolicy ??= "Cluster";
  }
  spec.sessionAffinity ??= "None";
  const nodePorts = spec.type === "NodePort" || spec.type === "LoadBalancer";
  if (nodePorts) spec.externalTrafficPolicy ??= "Cluster";
  if (spec.type === "LoadBalancer") spec.allocateLoadBalancerNodePorts ??= true;
  if (Array.isArray(spec.ports)) {
    for (const p of spec.ports) {
      if (!isObj(p)) continue;
      p.protocol ??= "TCP";
      p.targetPort ??= p.port;
      if (nodePorts) p.nodePort ??= (prev.ports ?? []).find((q: Obj) => q?.port === p.port)?.nodePort ?? alloc.nodePort();
    }
  }
}

function secret(obj: Obj): void {
  obj.type ??= "Opaque";
  if (isObj(obj.stringData)) {
    const data: Obj = { ...(isObj(obj.data) ? obj.data : {}) };
    for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v), "utf8").toString("base64");
    obj.data = data;
  }
  delete obj.stringData; // write-only, as on the real server
}

function crd(obj: Obj): void {
  const spec = (obj.spec ??= {});
  const names = (spec.names ??= {});
  if (names.kind) {
    names.singular ??= String(names.kind).toLowerCase();
    names.listKind ??= `${names.kind}List`;
  }
  spec.conversion ??= { strategy: "None" };
  if (isObj(obj.status) && Array.isArray(obj.status.conditions) && obj.status.conditions.length) {
    obj.status = { ...obj.status, acceptedNames: { ...names } };
    return;
  }
  const now = rfc3339();
  const storage = (Array.isArray(spec.versions) ? spec.versions : []).find((v: Obj) => v?.storage)?.name;
  // Simplification: the CRD is Established at once (no controller delay).
  obj.status = {
    acceptedNames: { ...names },
    conditions: [
      { type: "NamesAccepted", status: "True", lastTransitionTime: now, reason: "NoConflicts", message: "no conflicts found" },
      { type: "Established", status: "True", lastTransitionTime: now, reason: "InitialNamesAccepted", message: "the initial names have been accepted" },
    ],
    storedVersions: storage ? [storage] : [],
  };
}

const INITIAL_STATUS: Record<string, () => Obj> = {
  "/Service": () => ({ loadBalancer: {} }),
  "/Namespace": () => ({ phase: "Active" }),
  "/PersistentVolumeClaim": () => ({ phase: "Pending" }),
  "/Pod": () => ({ phase: "Pending", qosClass: "BestEffort" }),
  "networking.k8s.io/Ingress": () => ({ loadBalancer: {} }),
};

/** Fills defaults into obj (a fresh copy the caller owns). */
export function applyDefaults(rt: ResourceType, obj: Obj, old: Obj | undefined, alloc: Allocator): void {
  const key = `${rt.group}/${rt.kind}`;
  if (rt.status && !rt.custom && obj.status === undefined) obj.status = INITIAL_STATUS[key]?.() ?? {};
  const spec: Obj = key.startsWith("apps/") || key === "batch/CronJob" ? (isObj(obj.spec) ? obj.spec : (obj.spec = {})) : {};
  const create = !old;
  switch (key) {
    case "apps/Deployment": {
      spec.replicas ??= 1;
      const strategy = (spec.strategy ??= { type: "RollingUpdate" });
      strategy.type ??= "RollingUpdate";
      if (strategy.type === "RollingUpdate") {
        strategy.rollingUpdate ??= {};
        strategy.rollingUpdate.maxUnavailable ??= "25%";
        strategy.rollingUpdate.maxSurge ??= "25%";
      }
      spec.revisionHistoryLimit ??= 10;
      spec.progressDeadlineSeconds ??= 600;
      return template(spec);
    }
    case "apps/StatefulSet":
      spec.replicas ??= 1;
      spec.podManagementPolicy ??= "OrderedReady";
      spec.updateStrategy ??= { type: "RollingUpdate", rollingUpdate: { partition: 0 } };
      spec.revisionHistoryLimit ??= 10;
      spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: "Retain", whenScaled: "Retain" };
      return template(spec);
    case "apps/DaemonSet":
      spec.updateStrategy ??= { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } };
      spec.revisionHistoryLimit ??= 10;
      return template(spec);
    case "apps/ReplicaSet":
      spec.replicas ??= 1;
      return template(spec);
    case "batch/Job":
      return jobSpec(obj.spec, obj.metadata.uid, obj.metadata.name, create);
    case "batch/CronJob":
      spec.concurrencyPolicy ??= "Allow";
      spec.suspend ??= false;
      spec.successfulJobsHistoryLimit ??= 3;
      spec.failedJobsHistoryLimit ??= 1;
      if (isObj(spec.jobTemplate)) template(spec.jobTemplate.spec ?? {}, true);
      return;
    case "/Pod":
      podSpec(obj.spec, false);
      if (isObj(obj.spec)) {
        obj.spec.enableServiceLinks ??= true;
        obj.spec.priority ??= 0;
        obj.spec.preemptionPolicy ??= "PreemptLowerPriority";
        obj.spec.serviceAccountName ??= "default";
        obj.spec.serviceAccount ??= obj.spec.serviceAccountName;
      }
      return;
    case "/Service":
      return service(obj, old, alloc);
    case "/Namespace":
      obj.metadata.labels = { ...(obj.metadata.labels ?? {}), "kubernetes.io/metadata.name": obj.metadata.name };
      obj.spec ??= {};
      obj.spec.finalizers ??= ["kubernetes"];
      return;
    case "/Secret":
      return secret(obj);
    case "/PersistentVolumeClaim":
      if (isObj(obj.spec)) obj.spec.volumeMode ??= "Filesystem";
      return;
    case "apiextensions.k8s.io/CustomResourceDefinition":
      return crd(obj);
  }
}
