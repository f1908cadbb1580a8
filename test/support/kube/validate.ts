// Validation: unknown fields against the schema, a few required fields, name
// formats and the immutable fields GitOps tools most often trip over.
// Simplification: only these rules exist; everything else the real validators
// check (types, enums, quantities, label syntax...) is accepted.

import type { ResourceType } from "./discovery.js";
import { keyToken, printPath } from "./fieldset.js";
import type { Schema } from "./schema.js";
import type { FieldErr } from "./status.js";
import { deepEqual, isObj, type Obj } from "./util.js";

export interface UnknownField { ssaPath: string; jsonPath: string }

/** Unknown fields, with both spellings (".spec.x" for apply errors, "spec.x" for strict decoding). Prunes them when asked. */
export function findUnknown(v: unknown, s: Schema, prune: boolean, ssa = "", json = "", out: UnknownField[] = []): UnknownField[] {
  if (s.t === "struct" && isObj(v)) {
    for (const k of Object.keys(v)) {
      const cs = s.fields[k];
      const cj = json ? `${json}.${k}` : k;
      if (cs) findUnknown(v[k], cs, prune, `${ssa}.${k}`, cj, out);
      else if (!s.open) {
        out.push({ ssaPath: `${ssa}.${k}`, jsonPath: cj });
        if (prune) delete v[k];
      }
    }
  } else if (s.t === "map" && isObj(v)) {
    for (const k of Object.keys(v)) findUnknown(v[k], s.values, prune, `${ssa}.${k}`, json ? `${json}.${k}` : k, out);
  } else if (s.t === "list" && Array.isArray(v)) {
    v.forEach((item, i) => {
      const seg = s.keys && isObj(item) ? printPath([keyToken(item, s.keys)]) : `[${i}]`;
      findUnknown(item, s.item, prune, ssa + seg, `${json}[${i}]`, out);
    });
  }
  return out;
}

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

function nameErrors(rt: ResourceType, name: unknown): FieldErr[] {
  if (typeof name !== "string" || name === "") return [{ type: "Required", field: "metadata.name", detail: "name or generateName is required" }];
  const q = JSON.stringify(name);
  if (rt.group === "rbac.authorization.k8s.io") return /[/%]/.test(name) ? [{ type: "Invalid", field: "metadata.name", value: q, detail: `may not contain '/' or '%'` }] : [];
  if (rt.kind === "Namespace" && !LABEL.test(name)) return [{ type: "Invalid", field: "metadata.name", value: q, detail: LABEL_MSG }];
  if (rt.kind === "Service" && !rt.group && !DNS1035.test(name)) return [{ type: "Invalid", field: "metadata.name", value: q, detail: DNS1035_MSG }];
  if (name.length > 253 || !SUBDOMAIN.test(name)) return [{ type: "Invalid", field: "metadata.name", value: q, detail: SUBDOMAIN_MSG }];
  return [];
}

/** Go's %#v of a map[string]string, which real messages print. */
function goMap(m: unknown): string {
  if (!isObj(m)) return "map[string]string(nil)";
  return `map[string]string{${Object.keys(m).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`).join(", ")}}`;
}
function goSelector(sel: Obj): string {
  const exprs = Array.isArray(sel?.matchExpressions) && sel.matchExpressions.length
    ? `[]v1.LabelSelectorRequirement{${sel.matchExpressions.map((e: Obj) => `v1.LabelSelectorRequirement{Key:${JSON.stringify(e.key)}, Operator:${JSON.stringify(e.operator)}, Values:[]string{${(e.values ?? []).map((v: string) => JSON.stringify(v)).join(", ")}}}`).join(", ")}}`
    : "[]v1.LabelSelectorRequirement(nil)";
  return `v1.LabelSelector{MatchLabels:${goMap(sel?.matchLabels)}, MatchExpressions:${exprs}}`;
}

function podSpecErrors(spec: unknown, at: string): FieldErr[] {
  const cs = isObj(spec) ? spec.containers : undefined;
  if (!Array.isArray(cs) || cs.length === 0) return [{ type: "Required", field: `${at}.containers` }];
  const errs: FieldErr[] = [];
  cs.forEach((c: Obj, i: number) => {
    if (!c?.name) errs.push({ type: "Required", field: `${at}.containers[${i}].name` });
    if (!c?.image) errs.push({ type: "Required", field: `${at}.containers[${i}].image` });
  });
  return errs;
}

function selectorMatches(sel: Obj, labels: Obj): boolean {
  const ml = isObj(sel.matchLabels) ? sel.matchLabels : {};
  return Object.entries(ml).every(([k, v]) => labels[k] === v);
}

const WORKLOADS = new Set(["apps/Deployment", "apps/StatefulSet", "apps/DaemonSet", "apps/ReplicaSet"]);
const IMMUTABLE_WHEN_SET = "field is immutable when `immutable` is set";

export function validateObject(rt: ResourceType, obj: Obj, old: Obj | undefined): FieldErr[] {
  const errs = nameErrors(rt, obj.metadata?.name);
  const key = `${rt.group}/${rt.kind}`;
  const spec: Obj = isObj(obj.spec) ? obj.spec : {};
  const oldSpec: Obj = isObj(old?.spec) ? old.spec : {};
  if (WORKLOADS.has(key)) {
    if (!isObj(spec.selector)) errs.push({ type: "Required", field: "spec.selector" });
    const labels = spec.template?.metadata?.labels;
    if (isObj(spec.selector) && !selectorMatches(spec.selector, isObj(labels) ? labels : {})) {
      errs.push({ type: "Invalid", field: "spec.template.metadata.labels", value: goMap(labels), detail: "`selector` does not match template `labels`" });
    }
    errs.push(...podSpecErrors(spec.template?.spec, "spec.template.spec"));
    if (old && key !== "apps/StatefulSet" && !deepEqual(spec.selector, oldSpec.selector)) {
      errs.push({ type: "Invalid", field: "spec.selector", value: goSelector(spec.selector), detail: "field is immutable" });
    }
  }
  if (key === "apps/StatefulSet" && old) {
    const strip = (s: Obj) => { const { replicas, ordinals, template, updateStrategy, persistentVolumeClaimRetentionPolicy, minReadySeconds, ...rest } = s; return rest; };
    if (!deepEqual(strip(spec), strip(oldSpec))) {
      errs.push({ type: "Forbidden", field: "spec", detail: "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden" });
    }
  }
  if (key === "batch/Job") {
    errs.push(...podSpecErrors(spec.template?.spec, "spec.template.spec"));
    // Simplification: the value is printed as JSON, not as Go's core.PodTemplateSpec{...}.
    if (old && !deepEqual(spec.template, oldSpec.template)) errs.push({ type: "Invalid", field: "spec.template", value: JSON.stringify(spec.template), detail: "field is immutable" });
  }
  if (key === "/Pod") errs.push(...podSpecErrors(obj.spec, "spec"));
  if (key === "/Service" && old && oldSpec.clusterIP && spec.clusterIP !== oldSpec.clusterIP) {
    errs.push({ type: "Invalid", field: "spec.clusterIPs[0]", value: `[]string{${JSON.stringify(spec.clusterIP ?? "")}}`, detail: "may not change once set" });
  }
  if ((key === "/ConfigMap" || key === "/Secret") && old?.immutable === true) {
    if (obj.immutable !== true) errs.push({ type: "Forbidden", field: "immutable", detail: IMMUTABLE_WHEN_SET });
    if (!deepEqual(obj.data, old.data)) errs.push({ type: "Forbidden", field: "data", detail: IMMUTABLE_WHEN_SET });
    if (!deepEqual(obj.binaryData, old.binaryData)) errs.push({ type: "Forbidden", field: "binaryData", detail: IMMUTABLE_WHEN_SET });
  }
  if (key === "/Secret" && old && (obj.type ?? "Opaque") !== (old.type ?? "Opaque")) {
    errs.push({ type: "Invalid", field: "type", value: JSON.stringify(obj.type), detail: "field is immutable" });
  }
  if ((key === "rbac.authorization.k8s.io/RoleBinding" || key === "rbac.authorization.k8s.io/ClusterRoleBinding") && old && !deepEqual(obj.roleRef, old.roleRef)) {
    const r: Obj = obj.roleRef ?? {};
    errs.push({ type: "Invalid", field: "roleRef", value: `rbac.RoleRef{APIGroup:${JSON.stringify(r.apiGroup ?? "")}, Kind:${JSON.stringify(r.kind ?? "")}, Name:${JSON.stringify(r.name ?? "")}}`, detail: "cannot change roleRef" });
  }
  if (key === "/PersistentVolumeClaim" && old) {
    const strip = (s: Obj) => ({ ...s, resources: { ...(s.resources ?? {}), requests: undefined }, volumeAttributesClassName: undefined });
    // The binder sets volumeName once, as the real validation allows.
    const was = oldSpec.volumeName ? oldSpec : { ...oldSpec, volumeName: spec.volumeName };
    if (!deepEqual(strip(spec), strip(was))) errs.push({ type: "Forbidden", field: "spec", detail: "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims" });
  }
  return errs;
}
