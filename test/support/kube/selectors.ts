// labelSelector and fieldSelector query parameters.

import { badRequest } from "./status.js";
import type { Obj } from "./util.js";

type Req =
  | { op: "=" | "!="; key: string; value: string }
  | { op: "in" | "notin"; key: string; values: string[] }
  | { op: "exists" | "!"; key: string };

export type Matcher = (obj: Obj) => boolean;
const ALL: Matcher = () => true;

/** Splits on commas that are not inside parentheses. */
function terms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter(Boolean);
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;

function parseTerm(t: string): Req {
  let m = /^(\S+?)\s+(in|notin)\s*\(([^)]*)\)$/.exec(t);
  if (m) return { op: m[2] as "in" | "notin", key: check(m[1]), values: m[3].split(",").map((v) => v.trim()).filter(Boolean) };
  m = /^(\S+?)\s*(==|=|!=)\s*(\S*)$/.exec(t);
  if (m) return { op: m[2] === "!=" ? "!=" : "=", key: check(m[1]), value: m[3] };
  if (t.startsWith("!")) return { op: "!", key: check(t.slice(1).trim()) };
  return { op: "exists", key: check(t) };
}

function check(key: string): string {
  if (!KEY.test(key)) throw badRequest(`unable to parse requirement: <nil>: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`);
  return key;
}

function matches(labels: Record<string, string>, r: Req): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = labels[r.key];
  switch (r.op) {
    case "=": return has && v === r.value;
    case "!=": return !has || v !== r.value;
    case "in": return has && r.values.includes(v);
    case "notin": return !has || !r.values.includes(v);
    case "exists": return has;
    case "!": return !has;
  }
}

export function labelMatcher(selector: string | undefined): Matcher {
  if (!selector) return ALL;
  const reqs = terms(selector).map(parseTerm);
  return (obj) => {
    const labels = (obj.metadata?.labels ?? {}) as Record<string, string>;
    return reqs.every((r) => matches(labels, r));
  };
}

// Field labels each kind supports besides metadata.name/metadata.namespace (a subset of the real ones).
const FIELD_LABELS: Record<string, string[]> = {
  Pod: ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "status.phase", "status.podIP", "status.nominatedNodeName"],
  Event: ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"],
  Secret: ["type"],
  Namespace: ["status.phase"],
  ReplicaSet: ["status.replicas"],
  Job: ["status.successful"],
};

function fieldValue(obj: Obj, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split(".")) cur = cur && typeof cur === "object" ? (cur as Obj)[part] : undefined;
  return cur === undefined || cur === null ? "" : String(cur);
}

export function fieldMatcher(selector: string | undefined, kind: string, custom: boolean): Matcher {
  if (!selector) return ALL;
  const reqs = terms(selector).map((t) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(t);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${t}'`);
    const field = m[1].trim();
    if (field !== "metadata.name" && field !== "metadata.namespace" && !(FIELD_LABELS[kind] ?? []).includes(field)) {
      throw badRequest(custom ? `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"` : `field label not supported: ${field}`);
    }
    return { field, neg: m[2] === "!=", value: m[3].trim() };
  });
  return (obj) => reqs.every((r) => (fieldValue(obj, r.field) === r.value) !== r.neg);
}
