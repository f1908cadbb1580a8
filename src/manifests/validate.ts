// Shape checks on one parsed document, before it becomes a DesiredObject.
// They catch, with the file, line and field, what the API server would
// otherwise reject at apply time (after the PR was approved and merged).
import { groupOf, type KubeObject } from "./object.js";
import type { ManifestError } from "./types.js";

export interface Where {
  file: string;
  line?: number;
  /** Prefix for messages about one item of a List ("items[3]: "). */
  label?: string;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// RBAC objects only need to be valid path segments ("system:aggregate-to-view").
const PATH_SEGMENT_GROUPS = new Set(["rbac.authorization.k8s.io"]);

/** Returns the object, or the errors that make it unusable. */
export function checkObject(value: unknown, where: Where): KubeObject | ManifestError[] {
  const err = (message: string, field?: string): ManifestError => {
    const e: ManifestError = { file: where.file, message: (where.label ?? "") + message, reason: "ManifestInvalid" };
    if (where.line !== undefined) e.line = where.line;
    if (field) e.field = field;
    return e;
  };
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return [err(`document is ${Array.isArray(value) ? "a sequence" : `a ${typeof value}`}, not a mapping (a Kubernetes object)`)];
  }
  const obj = value as Record<string, unknown>;
  const errors: ManifestError[] = [];
  for (const field of ["apiVersion", "kind"] as const) {
    const v = obj[field];
    if (v === undefined || v === null || v === "") errors.push(err(`missing ${field}`, field));
    else if (typeof v !== "string") errors.push(err(`${field} must be a string, got ${describe(v)}`, field));
  }
  const meta = obj.metadata;
  if (meta === undefined || meta === null) {
    errors.push(err("missing metadata.name", "metadata.name"));
    return errors;
  }
  if (typeof meta !== "object" || Array.isArray(meta)) {
    errors.push(err(`metadata must be a mapping, got ${describe(meta)}`, "metadata"));
    return errors;
  }
  const m = meta as Record<string, unknown>;
  if (m.name === undefined || m.name === null || m.name === "") {
    const hint = m.generateName ? " (generateName is not supported: each object needs a fixed name to be diffed and pruned)" : "";
    errors.push(err(`missing metadata.name${hint}`, "metadata.name"));
  } else if (typeof m.name !== "string") {
    errors.push(err(`metadata.name must be a string, got ${describe(m.name)}`, "metadata.name"));
  } else if (typeof obj.kind === "string" && typeof obj.apiVersion === "string") {
    const problem = nameProblem(obj.apiVersion, obj.kind, m.name);
    if (problem) errors.push(err(`metadata.name "${m.name}" ${problem}`, "metadata.name"));
  }
  if (m.namespace !== undefined && m.namespace !== null && m.namespace !== "") {
    if (typeof m.namespace !== "string") errors.push(err(`metadata.namespace must be a string, got ${describe(m.namespace)}`, "metadata.namespace"));
    else if (!isDnsLabel(m.namespace)) errors.push(err(`metadata.namespace "${m.namespace}" ${LABEL_RULE}`, "metadata.namespace"));
  }
  for (const field of ["labels", "annotations"] as const) errors.push(...stringMapProblems(m[field], `metadata.${field}`, err));
  if (errors.length > 0) return errors;
  return value as KubeObject;
}

const LABEL_RULE = "is not a valid DNS-1123 label (at most 63 characters: lowercase letters, digits and '-', starting and ending with a letter or digit)";
const SUBDOMAIN_RULE = "is not a valid DNS-1123 subdomain (at most 253 characters: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)";

export function isDnsLabel(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}

/** Why a name is invalid for its kind, or undefined when it is fine. */
export function nameProblem(apiVersion: string, kind: string, name: string): string | undefined {
  if (kind === "Namespace" && groupOf(apiVersion) === "") return isDnsLabel(name) ? undefined : LABEL_RULE;
  if (PATH_SEGMENT_GROUPS.has(groupOf(apiVersion))) {
    if (name.length > 253) return "is longer than 253 characters";
    if (name === "." || name === ".." || /[/%\s]/.test(name)) return "may not be '.' or '..' nor contain '/', '%' or whitespace";
    return undefined;
  }
  return name.length <= 253 && DNS1123_SUBDOMAIN.test(name) ? undefined : SUBDOMAIN_RULE;
}

// `enabled: true` as a label value is a classic: kubectl fails at apply time.
function stringMapProblems(v: unknown, field: string, err: (m: string, f?: string) => ManifestError): ManifestError[] {
  if (v === undefined || v === null) return [];
  if (typeof v !== "object" || Array.isArray(v)) return [err(`${field} must be a mapping, got ${describe(v)}`, field)];
  const out: ManifestError[] = [];
  for (const [key, val] of Object.entries(v)) {
    if (typeof val !== "string") out.push(err(`${field}.${key} must be a string, got ${describe(val)} (quote it)`, `${field}.${key}`));
  }
  return out;
}

// Names the type, never the value: the value could be anything, even a secret.
function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a sequence";
  if (typeof v === "object") return "a mapping";
  return `a ${typeof v}`;
}
