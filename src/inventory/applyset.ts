// The inventory of what Converge applied, in kubectl's ApplySet convention
// (KEP-3659): a parent object labelled with the ApplySet id and annotated with
// the group-kinds and namespaces its members live in; members carry the
// `part-of` label. Pruning is then "members that Git no longer has" and can
// never touch an object Converge did not apply. Pure: no I/O.
import { createHash } from "node:crypto";
import { groupKind, type KubeObject, type ObjectId } from "../manifests/object.js";

export const LABEL_APPLYSET_ID = "applyset.kubernetes.io/id";
export const LABEL_PART_OF = "applyset.kubernetes.io/part-of";
export const ANN_TOOLING = "applyset.kubernetes.io/tooling";
export const ANN_GROUP_KINDS = "applyset.kubernetes.io/contains-group-kinds";
export const ANN_ADDITIONAL_NAMESPACES = "applyset.kubernetes.io/additional-namespaces";
export const ANN_REVISION = "converge.dev/revision";
export const ANN_REPOSITORY = "converge.dev/repository";
export const ANN_ENVIRONMENT = "converge.dev/environment";
export const ANN_RESULT = "converge.dev/result";
export const ANN_APPLIED_AT = "converge.dev/applied-at";
export const ANN_FAILED_REVISION = "converge.dev/failed-revision";
/** Repository paths the environment's manifests were rendered from (kustomize bases outside the path too). */
export const ANN_INPUTS = "converge.dev/inputs";
export const TOOLING = "converge/v1";

export interface ParentRef {
  name: string;
  namespace: string;
}

export interface InventoryState {
  id: string;
  groupKinds: string[]; // "Deployment.apps", "Service"
  namespaces: string[]; // parent namespace first, then additional ones
  revision?: string; // last applied commit
  result?: string; // "succeeded" | "failed" | "in-progress" | "partial"
  failedRevision?: string;
  appliedAt?: string;
  inputs: string[];
}

/** The parent is a ConfigMap per (repository, environment) in the environment's namespace. */
export function parentRef(repository: string, environment: string, namespace: string | undefined): ParentRef {
  const hash = createHash("sha256").update(`${repository.toLowerCase()}/${environment}`).digest("hex").slice(0, 8);
  const env = environment.toLowerCase().replace(/[^a-z0-9-]/g, "-").slice(0, 40).replace(/-+$/, "");
  return { name: `converge-${env}-${hash}`, namespace: namespace || "default" };
}

/** KEP-3659 id: base64url(sha256("<name>.<namespace>.<kind>.<group>")), "applyset-" prefix, "-v1" suffix. */
export function applySetId(ref: ParentRef): string {
  const digest = createHash("sha256").update(`${ref.name}.${ref.namespace}.ConfigMap.`).digest("base64url");
  return `applyset-${digest}-v1`;
}

export function buildParent(ref: ParentRef, members: ObjectId[], annotations: Record<string, string>): KubeObject {
  const id = applySetId(ref);
  const groupKinds = [...new Set(members.map(groupKind))].sort();
  const extraNs = [...new Set(members.map((m) => m.namespace).filter((n): n is string => !!n && n !== ref.namespace))].sort();
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: ref.name,
      namespace: ref.namespace,
      labels: { [LABEL_APPLYSET_ID]: id },
      annotations: {
        [ANN_TOOLING]: TOOLING,
        [ANN_GROUP_KINDS]: groupKinds.join(","),
        [ANN_ADDITIONAL_NAMESPACES]: extraNs.join(","),
        ...annotations,
      },
    },
  };
}

export function parseParent(obj: KubeObject | undefined, ref: ParentRef): InventoryState {
  const id = applySetId(ref);
  const ann = obj?.metadata.annotations ?? {};
  const split = (v: string | undefined) => (v ? v.split(",").map((s) => s.trim()).filter(Boolean) : []);
  return {
    id,
    groupKinds: split(ann[ANN_GROUP_KINDS]),
    namespaces: [ref.namespace, ...split(ann[ANN_ADDITIONAL_NAMESPACES]).filter((n) => n !== ref.namespace)],
    revision: ann[ANN_REVISION],
    result: ann[ANN_RESULT],
    failedRevision: ann[ANN_FAILED_REVISION],
    appliedAt: ann[ANN_APPLIED_AT],
    inputs: split(ann[ANN_INPUTS]),
  };
}

/** "Deployment.apps" -> { kind: "Deployment", group: "apps" }. */
export function parseGroupKind(gk: string): { group: string; kind: string } {
  const dot = gk.indexOf(".");
  return dot === -1 ? { group: "", kind: gk } : { kind: gk.slice(0, dot), group: gk.slice(dot + 1) };
}

export interface Stamp {
  applySetId: string;
  revision?: string;
  repository?: string;
}

/** The object as Converge sends it: ApplySet label plus source commit and repository annotations. */
export function stampObject(obj: KubeObject, stamp: Stamp): KubeObject {
  const annotations = { ...(obj.metadata.annotations ?? {}) };
  if (stamp.revision) annotations[ANN_REVISION] = stamp.revision;
  if (stamp.repository) annotations[ANN_REPOSITORY] = stamp.repository;
  const metadata = {
    ...obj.metadata,
    labels: { ...(obj.metadata.labels ?? {}), [LABEL_PART_OF]: stamp.applySetId },
  } as KubeObject["metadata"];
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  return { ...obj, metadata };
}
