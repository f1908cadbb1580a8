// metadata.managedFields: reading/writing entries and moving ownership the way
// structured-merge-diff does for Update operations (POST/PUT/non-apply PATCH).
// Simplifications: Update entries use the same field sets as Apply entries (the
// real server also lists "." for free-form maps an update creates, e.g. labels),
// and there is no cap on the number of Update managers.

import { fieldSetOf, fromFieldsV1, toFieldsV1, FieldSet, type Tok } from "./fieldset.js";
import type { Schema } from "./schema.js";
import { deepEqual, isObj, type Obj } from "./util.js";

export interface ManagedEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time?: string;
  fieldsType: "FieldsV1";
  fieldsV1: Obj;
  subresource?: string;
}
export interface Manager { entry: ManagedEntry; set: FieldSet; changed: boolean }
export type Managers = Map<string, Manager>;
export type Sub = "status" | undefined;

export function managerId(manager: string, operation: string, sub: Sub): string {
  return JSON.stringify([manager, operation, sub ?? ""]);
}

export function readManagers(obj: Obj | undefined): Managers {
  const ms: Managers = new Map();
  const list = obj?.metadata?.managedFields;
  if (!Array.isArray(list)) return ms;
  for (const e of list) {
    if (!isObj(e) || typeof e.manager !== "string") continue;
    ms.set(managerId(e.manager, e.operation, e.subresource), { entry: e as ManagedEntry, set: fromFieldsV1(e.fieldsV1), changed: false });
  }
  return ms;
}

export function writeManagers(ms: Managers, time: string): ManagedEntry[] {
  const out: ManagedEntry[] = [];
  for (const m of ms.values()) {
    if (m.set.size === 0) continue; // managers left with nothing are dropped
    if (!m.changed) {
      out.push(m.entry);
      continue;
    }
    const { manager, operation, apiVersion, subresource } = m.entry;
    out.push({ manager, operation, apiVersion, time, fieldsType: "FieldsV1", fieldsV1: toFieldsV1(m.set), ...(subresource ? { subresource } : {}) });
  }
  return out;
}

/** Fields that field management never tracks: identity and server-set metadata; status or non-status by subresource. */
const UNTRACKED_META = ["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"];

export function trackedView(obj: Obj | undefined, sub: Sub, statusSub: boolean): Obj {
  if (!obj) return {};
  const { apiVersion: _a, kind: _k, metadata, status, ...rest } = obj;
  if (sub === "status") return status === undefined ? {} : { status };
  const view: Obj = rest;
  if (!statusSub && status !== undefined) view.status = status;
  if (isObj(metadata)) {
    const m = { ...metadata };
    for (const f of UNTRACKED_META) delete m[f];
    if (Object.keys(m).length) view.metadata = m;
  }
  return view;
}

export interface Comparison { before: FieldSet; after: FieldSet; added: Set<string>; modified: Set<string>; removed: Set<string> }

export function compare(before: FieldSet, after: FieldSet): Comparison {
  const added = new Set<string>();
  const modified = new Set<string>();
  const removed = new Set<string>();
  for (const k of after.members.keys()) {
    if (!before.has(k)) added.add(k);
    else if (after.isLeaf(k) && before.isLeaf(k) && !deepEqual(before.values.get(k), after.values.get(k))) modified.add(k);
  }
  for (const k of before.members.keys()) if (!after.has(k)) removed.add(k);
  return { before, after, added, modified, removed };
}

export function compareObjects(oldObj: Obj | undefined, newObj: Obj, schema: Schema, sub: Sub, statusSub: boolean): Comparison {
  return compare(fieldSetOf(trackedView(oldObj, sub, statusSub), schema), fieldSetOf(trackedView(newObj, sub, statusSub), schema));
}

/** Drops `keys` from every manager but `except`. Returns what each lost. */
export function takeFrom(ms: Managers, keys: Set<string>, except?: string): Map<string, Tok[][]> {
  const lost = new Map<string, Tok[][]>();
  if (keys.size === 0) return lost;
  for (const [id, m] of ms) {
    if (id === except) continue;
    const hit = [...m.set.members].filter(([k]) => keys.has(k)).map(([, p]) => p);
    if (hit.length === 0) continue;
    lost.set(id, hit);
    m.set = m.set.without(keys);
    m.changed = true;
  }
  return lost;
}

/** An Update by `manager`: it takes every field it added or changed; removed fields leave all managers. */
export function recordUpdate(ms: Managers, cmp: Comparison, manager: string, apiVersion: string, sub: Sub): void {
  const id = managerId(manager, "Update", sub);
  const touched = new Set([...cmp.added, ...cmp.modified]);
  takeFrom(ms, touched, id);
  takeFrom(ms, cmp.removed, id);
  const prev = ms.get(id);
  const base = prev ? prev.set.without(cmp.removed) : new FieldSet();
  const set = base.with([...touched].map((k) => cmp.after.members.get(k)!));
  const changed = !prev || !prev.set.equals(set) || prev.entry.apiVersion !== apiVersion;
  const entry: ManagedEntry = changed || !prev ? { manager, operation: "Update", apiVersion, fieldsType: "FieldsV1", fieldsV1: {}, ...(sub ? { subresource: sub } : {}) } : prev.entry;
  ms.set(id, { entry, set, changed });
}
