// The resource registry behind discovery and routing: built-in kinds plus the
// kinds that CustomResourceDefinitions register.

import { invalid } from "./status.js";
import { isObj, type Obj } from "./util.js";

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  /** Has a status subresource: main-resource writes ignore .status, /status writes only touch it. */
  status: boolean;
  shortNames?: string[];
  /** metadata.generation is maintained (workloads, CRDs, custom objects). */
  generation: boolean;
  /** DELETE answers with the object (Pods, Services, Namespaces, CRDs, custom objects); others answer a Success Status. */
  deleteReturnsObject: boolean;
  custom: boolean;
  verbs: string[];
}

const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const NS_VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"];

// [apiVersion, kind, plural, namespaced, status subresource, generation, deleteReturnsObject, shortNames]
type Row = [string, string, string, boolean, boolean, boolean, boolean, string?];
const BUILTIN: Row[] = [
  ["v1", "Namespace", "namespaces", false, true, false, true, "ns"],
  ["v1", "ConfigMap", "configmaps", true, false, false, false, "cm"],
  ["v1", "Secret", "secrets", true, false, false, false],
  ["v1", "Service", "services", true, true, false, true, "svc"],
  ["v1", "ServiceAccount", "serviceaccounts", true, false, false, false, "sa"],
  ["v1", "Pod", "pods", true, true, false, true, "po"],
  ["v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, true, false, false, "pvc"],
  ["v1", "Event", "events", true, false, false, false, "ev"],
  ["apps/v1", "Deployment", "deployments", true, true, true, false, "deploy"],
  ["apps/v1", "StatefulSet", "statefulsets", true, true, true, false, "sts"],
  ["apps/v1", "DaemonSet", "daemonsets", true, true, true, false, "ds"],
  ["apps/v1", "ReplicaSet", "replicasets", true, true, true, false, "rs"],
  ["batch/v1", "Job", "jobs", true, true, true, false],
  ["batch/v1", "CronJob", "cronjobs", true, true, true, false, "cj"],
  ["rbac.authorization.k8s.io/v1", "Role", "roles", true, false, false, false],
  ["rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings", true, false, false, false],
  ["rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", false, false, false, false],
  ["rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "clusterrolebindings", false, false, false, false],
  ["networking.k8s.io/v1", "Ingress", "ingresses", true, true, true, false, "ing"],
  ["apiextensions.k8s.io/v1", "CustomResourceDefinition", "customresourcedefinitions", false, true, true, true, "crd,crds"],
  ["coordination.k8s.io/v1", "Lease", "leases", true, false, false, false],
  ["policy/v1", "PodDisruptionBudget", "poddisruptionbudgets", true, true, true, false, "pdb"],
];

// The order `kubectl api-versions` shows for a real cluster, for the groups we serve.
const GROUP_ORDER = ["apps", "rbac.authorization.k8s.io", "batch", "networking.k8s.io", "policy", "apiextensions.k8s.io", "coordination.k8s.io"];

function splitGV(apiVersion: string): [string, string] {
  const i = apiVersion.indexOf("/");
  return i < 0 ? ["", apiVersion] : [apiVersion.slice(0, i), apiVersion.slice(i + 1)];
}

export function typeKey(group: string, kind: string): string {
  return `${group}/${kind}`;
}

export class Registry {
  private byGVR = new Map<string, ResourceType>();
  private byGVK = new Map<string, ResourceType>();
  private crdTypes = new Map<string, ResourceType[]>(); // CRD name -> its served versions

  constructor() {
    for (const [gv, kind, plural, namespaced, status, generation, delObj, short] of BUILTIN) {
      const [group, version] = splitGV(gv);
      const verbs = kind === "Namespace" ? NS_VERBS : VERBS;
      this.add({ group, version, kind, plural, singular: kind.toLowerCase(), namespaced, status, generation, deleteReturnsObject: delObj, custom: false, verbs, ...(short ? { shortNames: short.split(",") } : {}) });
    }
  }

  private add(rt: ResourceType): void {
    this.byGVR.set(`${rt.group}/${rt.version}/${rt.plural}`, rt);
    this.byGVK.set(`${rt.group}/${rt.version}/${rt.kind}`, rt);
  }

  lookup(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byGVR.get(`${group}/${version}/${plural}`);
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = splitGV(apiVersion);
    return this.byGVK.get(`${group}/${version}/${kind}`);
  }

  typesIn(group: string, version: string): ResourceType[] {
    return [...this.byGVR.values()].filter((rt) => rt.group === group && rt.version === version);
  }

  hasGroupVersion(group: string, version: string): boolean {
    for (const rt of this.byGVR.values()) if (rt.group === group && rt.version === version) return true;
    return false;
  }

  /** Registers (or re-registers) a CRD's served versions. Throws 422 for a CRD whose name is not plural.group. */
  registerCRD(crd: Obj, validateOnly = false): void {
    const spec = isObj(crd.spec) ? crd.spec : {};
    const names = isObj(spec.names) ? spec.names : {};
    const group = String(spec.group ?? "");
    const name = String(crd.metadata?.name ?? "");
    const missing = [["spec.group", group], ["spec.names.plural", names.plural], ["spec.names.kind", names.kind]].filter(([, v]) => !v);
    if (missing.length) throw invalid("CustomResourceDefinition", "apiextensions.k8s.io", name, missing.map(([field]) => ({ type: "Required" as const, field: String(field) })));
    if (name !== `${names.plural}.${group}`) {
      throw invalid("CustomResourceDefinition", "apiextensions.k8s.io", name, [{ type: "Invalid", field: "metadata.name", value: JSON.stringify(name), detail: 'must be spec.names.plural+"."+spec.group' }]);
    }
    if (validateOnly) return;
    this.unregisterCRD(name);
    const versions = Array.isArray(spec.versions) ? spec.versions.filter((v: Obj) => v?.served !== false) : [];
    const types: ResourceType[] = versions.map((v: Obj) => ({
      group, version: String(v.name), kind: String(names.kind), plural: String(names.plural),
      singular: String(names.singular ?? String(names.kind).toLowerCase()),
      namespaced: spec.scope !== "Cluster", status: isObj(v.subresources) && "status" in v.subresources,
      generation: true, deleteReturnsObject: true, custom: true, verbs: VERBS,
      ...(Array.isArray(names.shortNames) ? { shortNames: names.shortNames.map(String) } : {}),
    }));
    for (const rt of types) this.add(rt);
    this.crdTypes.set(name, types);
  }

  /** Returns the types the CRD had registered (so the caller can drop their objects). */
  unregisterCRD(name: string): ResourceType[] {
    const types = this.crdTypes.get(name) ?? [];
    for (const rt of types) {
      this.byGVR.delete(`${rt.group}/${rt.version}/${rt.plural}`);
      this.byGVK.delete(`${rt.group}/${rt.version}/${rt.kind}`);
    }
    this.crdTypes.delete(name);
    return types;
  }

  // ---- discovery documents -------------------------------------------------

  apiVersions(): Obj {
    return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "127.0.0.1:6443" }] };
  }

  groupList(): Obj {
    const versions = new Map<string, string[]>();
    for (const rt of this.byGVR.values()) {
      if (!rt.group) continue;
      const vs = versions.get(rt.group) ?? [];
      if (!vs.includes(rt.version)) vs.push(rt.version);
      versions.set(rt.group, vs);
    }
    const rank = (g: string) => (GROUP_ORDER.includes(g) ? GROUP_ORDER.indexOf(g) : GROUP_ORDER.length);
    const groups = [...versions.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).map((name) => {
      const gvs = versions.get(name)!.map((version) => ({ groupVersion: `${name}/${version}`, version }));
      return { name, versions: gvs, preferredVersion: gvs[0] };
    });
    return { kind: "APIGroupList", apiVersion: "v1", groups };
  }

  /** APIResourceList for one group/version; undefined when it is not served. */
  resourceList(group: string, version: string): Obj | undefined {
    const resources: Obj[] = [];
    for (const rt of this.byGVR.values()) {
      if (rt.group !== group || rt.version !== version) continue;
      resources.push({ name: rt.plural, singularName: rt.singular, namespaced: rt.namespaced, kind: rt.kind, verbs: rt.verbs, ...(rt.shortNames ? { shortNames: rt.shortNames } : {}) });
      if (rt.status) resources.push({ name: `${rt.plural}/status`, singularName: "", namespaced: rt.namespaced, kind: rt.kind, verbs: ["get", "patch", "update"] });
    }
    if (resources.length === 0) return undefined;
    resources.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // The core list has no apiVersion field; group lists do (as the real server answers).
    return group ? { kind: "APIResourceList", apiVersion: "v1", groupVersion: `${group}/${version}`, resources } : { kind: "APIResourceList", groupVersion: version, resources };
  }
}
