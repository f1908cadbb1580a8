// The shape every module shares: a Kubernetes object as data, and its identity.
// Identity is group/kind/namespace/name (the version is not part of it: the
// same object can be read through several API versions).

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface ObjectId {
  group: string; // "" for the core group
  kind: string;
  namespace?: string; // undefined for cluster-scoped objects
  name: string;
}

/** Where a desired object came from, for error messages and annotations. */
export interface SourceRef {
  file: string; // path relative to the repository root, "/" separated
  line?: number; // 1-based line of the document start, when known
  doc?: number; // 0-based index of the document in the file
}

export interface DesiredObject {
  object: KubeObject;
  source: SourceRef;
}

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash === -1 ? "" : apiVersion.slice(0, slash);
}

export function versionOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash === -1 ? apiVersion : apiVersion.slice(slash + 1);
}

export function idOf(obj: KubeObject): ObjectId {
  const id: ObjectId = { group: groupOf(obj.apiVersion), kind: obj.kind, name: obj.metadata.name };
  if (obj.metadata.namespace) id.namespace = obj.metadata.namespace;
  return id;
}

/** Stable string key: "apps/Deployment/shop/web", "/Namespace//shop". */
export function idKey(id: ObjectId): string {
  return `${id.group}/${id.kind}/${id.namespace ?? ""}/${id.name}`;
}

export function parseIdKey(key: string): ObjectId {
  const [group, kind, namespace, ...rest] = key.split("/");
  const id: ObjectId = { group, kind, name: rest.join("/") };
  if (namespace) id.namespace = namespace;
  return id;
}

/** Human form, as kubectl prints it: "Deployment shop/web", "Namespace shop". */
export function describeId(id: ObjectId): string {
  const kind = id.group && !id.group.endsWith(".k8s.io") && id.group !== "apps" && id.group !== "batch" ? `${id.kind}.${id.group}` : id.kind;
  return id.namespace ? `${kind} ${id.namespace}/${id.name}` : `${kind} ${id.name}`;
}

/** "group/Kind" as used by ApplySet's contains-group-kinds annotation ("Kind.group"). */
export function groupKind(id: { group: string; kind: string }): string {
  return id.group ? `${id.kind}.${id.group}` : id.kind;
}
