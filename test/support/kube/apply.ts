// Server-side apply: merge an applied configuration into the live object, track
// ownership per manager, detect conflicts, prune fields the manager gave up.
// Simplifications: merged associative lists keep live order and append new items;
// only the key fields listed in the schema identify list items.

import { ANY, type Schema } from "./schema.js";
import { deleteAt, fieldSetOf, keyToken, printPath, FieldSet, type Tok } from "./fieldset.js";
import { compare, managerId, readManagers, takeFrom, trackedView, type ManagedEntry, type Managers, type Sub } from "./managed.js";
import { ApiError, status } from "./status.js";
import { clone, isObj, rfc3339, type Obj } from "./util.js";

export interface ApplyInput {
  schema: Schema;
  live: Obj | undefined;
  skeleton: Obj; // apiVersion/kind/metadata.name/namespace for a create
  config: Obj;
  manager: string;
  apiVersion: string;
  force: boolean;
  sub: Sub;
  statusSub: boolean;
}

const NOT_MERGED_META = ["uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"];

export function serverSideApply(inp: ApplyInput): { obj: Obj; managers: Managers } {
  const { schema, live, sub, statusSub } = inp;
  const cfgView = trackedView(inp.config, sub, statusSub);
  const cfgSet = fieldSetOf(cfgView, schema);

  // What gets merged: the status alone for /status, everything but status when the kind has the subresource.
  const toMerge: Obj = sub === "status" ? { status: inp.config.status } : { ...inp.config };
  if (sub !== "status" && statusSub) delete toMerge.status;
  if (isObj(toMerge.metadata)) {
    toMerge.metadata = { ...toMerge.metadata };
    for (const f of NOT_MERGED_META) delete toMerge.metadata[f];
  }
  const merged = merge(clone(live ?? inp.skeleton), toMerge, schema) as Obj;

  const liveSet = fieldSetOf(trackedView(live, sub, statusSub), schema);
  const ms = readManagers(live);
  if (live && ms.size === 0 && liveSet.size) {
    // As the real server (skipNonAppliedManager): an object nobody manages yet has all its fields
    // attributed to "before-first-apply" on its first apply, so a differing value conflicts.
    const entry: ManagedEntry = { manager: "before-first-apply", operation: "Update", apiVersion: inp.apiVersion, time: rfc3339(), fieldsType: "FieldsV1", fieldsV1: {} };
    ms.set(managerId(entry.manager, "Update", sub), { entry, set: liveSet, changed: true });
  }
  const id = managerId(inp.manager, "Apply", sub);
  const last = ms.get(id)?.set ?? new FieldSet();
  const others = new FieldSet();
  for (const [mid, m] of ms) if (mid !== id) for (const p of m.set.members.values()) others.add(p);
  const prev = ms.get(id);
  const changed = !prev || !last.equals(cfgSet) || prev.entry.apiVersion !== inp.apiVersion;
  ms.set(id, { entry: changed || !prev ? applyEntry(inp) : prev.entry, set: cfgSet, changed });

  // Fields this manager applied before and no longer does are removed, unless someone else owns them.
  for (const [k, p] of last.members) if (!cfgSet.has(k) && !others.covers(k)) deleteAt(merged, p);

  const cmp = compare(liveSet, fieldSetOf(trackedView(merged, sub, statusSub), schema));
  const touched = new Set([...cmp.added, ...cmp.modified]);
  if (!inp.force) {
    const conflicts: { entry: ManagedEntry; path: Tok[] }[] = [];
    for (const [mid, m] of ms) {
      if (mid === id) continue;
      for (const [k, p] of m.set.members) if (touched.has(k)) conflicts.push({ entry: m.entry, path: p });
    }
    if (conflicts.length) throw conflictError(conflicts);
  }
  takeFrom(ms, touched, id);
  takeFrom(ms, cmp.removed);
  return { obj: merged, managers: ms };
}

function applyEntry(inp: ApplyInput): ManagedEntry {
  return { manager: inp.manager, operation: "Apply", apiVersion: inp.apiVersion, fieldsType: "FieldsV1", fieldsV1: {}, ...(inp.sub ? { subresource: inp.sub } : {}) };
}

/** Merges cfg into live by schema: maps per key, associative lists per item key, everything else replaced. */
export function merge(live: unknown, cfg: unknown, s: Schema): unknown {
  if (s.t === "struct" && !s.atomic && isObj(live) && isObj(cfg)) return mergeMap(live, cfg, (k) => s.fields[k] ?? ANY);
  if (s.t === "map" && !s.atomic && isObj(live) && isObj(cfg)) return mergeMap(live, cfg, () => s.values);
  if (s.t === "any" && isObj(live) && isObj(cfg)) return mergeMap(live, cfg, () => ANY);
  if (s.t === "list" && s.keys && Array.isArray(live) && Array.isArray(cfg)) {
    const keys = s.keys;
    const out = live.slice();
    for (const item of cfg) {
      if (!isObj(item)) continue;
      const tok = keyToken(item, keys);
      const i = out.findIndex((x) => isObj(x) && keyToken(x, keys) === tok);
      if (i >= 0) out[i] = merge(out[i], item, s.item);
      else out.push(clone(item));
    }
    return out;
  }
  return clone(cfg);
}

function mergeMap(live: Obj, cfg: Obj, schemaOf: (k: string) => Schema): Obj {
  const out: Obj = { ...live };
  for (const [k, v] of Object.entries(cfg)) {
    if (v === undefined) continue;
    if (v === null) delete out[k];
    else out[k] = k in live ? merge(live[k], v, schemaOf(k)) : clone(v);
  }
  return out;
}

function printManager(e: ManagedEntry): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === "Update") s += ` using ${e.apiVersion}` + (e.time ? ` at ${e.time}` : "");
  return s;
}

/** 409 like the apiserver's NewConflictError: one cause per field, message grouped by manager. */
function conflictError(cs: { entry: ManagedEntry; path: Tok[] }[]): ApiError {
  const causes = cs.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with ${printManager(c.entry)}`, field: printPath(c.path) }));
  let message: string;
  if (cs.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(cs[0].entry)}: ${printPath(cs[0].path)}`;
  } else {
    const by = new Map<string, string[]>();
    for (const c of cs) by.set(printManager(c.entry), [...(by.get(printManager(c.entry)) ?? []), printPath(c.path)]);
    const lines: string[] = [];
    for (const m of [...by.keys()].sort()) lines.push(`conflicts with ${m}:`, ...by.get(m)!.map((p) => `- ${p}`));
    message = `Apply failed with ${cs.length} conflicts: ${lines.join("\n")}`;
  }
  return status(409, "Conflict", message, { causes });
}
