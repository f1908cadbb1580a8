// Field paths and sets in structured-merge-diff's terms, with the FieldsV1
// ("f:spec", "k:{\"name\":\"web\"}", ".") encoding used in metadata.managedFields.

import { ANY, type Schema } from "./schema.js";
import { isObj, type Obj } from "./util.js";

/** One path element, already in FieldsV1 spelling: "f:name", 'k:{"name":"web"}', "i:0", "v:\"x\"". */
export type Tok = string;
const SEP = "\u0001";

export function pathKey(path: Tok[]): string {
  return path.join(SEP);
}

// Key fields that the API server defaults before keys are compared (container/service ports).
const KEY_DEFAULTS: Record<string, unknown> = { protocol: "TCP" };

export function keyToken(item: Obj, keys: string[]): Tok {
  const k: Obj = {};
  for (const name of [...keys].sort()) {
    const v = item[name] ?? KEY_DEFAULTS[name];
    if (v !== undefined) k[name] = v;
  }
  return "k:" + JSON.stringify(k);
}

/** A set of field paths; `parents` holds every proper prefix so "owns something under X" is O(1). */
export class FieldSet {
  readonly members = new Map<string, Tok[]>();
  readonly parents = new Set<string>();
  readonly values = new Map<string, unknown>(); // filled when built from an object

  add(path: Tok[], value?: unknown): void {
    const key = pathKey(path);
    if (arguments.length > 1) this.values.set(key, value);
    if (this.members.has(key)) return;
    this.members.set(key, path);
    let acc = "";
    for (let i = 0; i < path.length - 1; i++) {
      acc = i === 0 ? path[0] : acc + SEP + path[i];
      this.parents.add(acc);
    }
  }
  has(key: string): boolean {
    return this.members.has(key);
  }
  /** The path itself or something below it is in the set. */
  covers(key: string): boolean {
    return this.members.has(key) || this.parents.has(key);
  }
  isLeaf(key: string): boolean {
    return this.members.has(key) && !this.parents.has(key);
  }
  get size(): number {
    return this.members.size;
  }
  without(keys: Set<string>): FieldSet {
    const out = new FieldSet();
    for (const [k, p] of this.members) if (!keys.has(k)) out.add(p);
    return out;
  }
  with(paths: Iterable<Tok[]>): FieldSet {
    const out = new FieldSet();
    for (const p of this.members.values()) out.add(p);
    for (const p of paths) out.add(p);
    return out;
  }
  equals(o: FieldSet): boolean {
    if (o.size !== this.size) return false;
    for (const k of this.members.keys()) if (!o.has(k)) return false;
    return true;
  }
}

/**
 * The set of fields an object sets, as structured-merge-diff's ToFieldSet computes
 * it: leaves, atomic values, list items, free-form map entries and empty structs.
 */
export function fieldSetOf(obj: unknown, schema: Schema): FieldSet {
  const out = new FieldSet();
  walk(obj, schema, [], out);
  return out;
}

function walk(v: unknown, s: Schema, path: Tok[], out: FieldSet): void {
  if (v === undefined) return;
  if (v === null || s.t === "scalar") return void out.add(path, v);
  if (s.t === "struct" && !s.atomic && isObj(v)) {
    for (const k of Object.keys(v)) {
      const c = v[k];
      if (c === undefined) continue;
      const declared = s.fields[k];
      const p = [...path, "f:" + k];
      walk(c, declared ?? ANY, p, out);
      if (!declared || c === null || (isObj(c) && Object.keys(c).length === 0)) out.add(p, c);
    }
    return;
  }
  if ((s.t === "map" && !s.atomic && isObj(v)) || (s.t === "any" && isObj(v))) {
    const vs = s.t === "map" ? s.values : ANY;
    for (const k of Object.keys(v)) {
      if (v[k] === undefined) continue;
      const p = [...path, "f:" + k];
      walk(v[k], vs, p, out);
      out.add(p, v[k]);
    }
    return;
  }
  if (s.t === "list" && s.keys && Array.isArray(v)) {
    for (const item of v) {
      if (!isObj(item)) continue;
      const p = [...path, keyToken(item, s.keys)];
      walk(item, s.item, p, out);
      out.add(p, item);
    }
    return;
  }
  out.add(path, v); // atomic
}

/** ".spec.template.spec.containers[name=\"web\"].image", as conflict messages print paths. */
export function printPath(path: Tok[]): string {
  let s = "";
  for (const t of path) {
    const body = t.slice(2);
    if (t.startsWith("f:")) s += "." + body;
    else if (t.startsWith("k:")) s += "[" + Object.entries(JSON.parse(body) as Obj).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",") + "]";
    else if (t.startsWith("i:")) s += `[${body}]`;
    else s += `[=${body}]`;
  }
  return s;
}

export function toFieldsV1(set: FieldSet): Obj {
  const root: Obj = {};
  for (const path of set.members.values()) {
    let node = root;
    for (const t of path) node = node[t] ??= {};
    node["."] = {};
  }
  return finish(root);
}

function finish(node: Obj): Obj {
  const keys = Object.keys(node).filter((k) => k !== ".").sort();
  if (keys.length === 0) return {};
  const out: Obj = node["."] ? { ".": {} } : {};
  for (const k of keys) out[k] = finish(node[k]);
  return out;
}

export function fromFieldsV1(f: unknown): FieldSet {
  const set = new FieldSet();
  const decode = (node: Obj, path: Tok[]) => {
    for (const [k, c] of Object.entries(node)) {
      if (k === ".") set.add(path);
      else if (!isObj(c) || Object.keys(c).length === 0) set.add([...path, k]);
      else decode(c, [...path, k]);
    }
  };
  if (isObj(f)) decode(f, []);
  return set;
}

function keysOf(t: Tok): string[] {
  return Object.keys(JSON.parse(t.slice(2)) as Obj);
}

function indexIn(list: unknown[], t: Tok): number {
  if (t.startsWith("k:")) {
    const keys = keysOf(t);
    return list.findIndex((x) => isObj(x) && keyToken(x, keys) === t);
  }
  if (t.startsWith("i:")) return Number(t.slice(2));
  const want = JSON.parse(t.slice(2));
  return list.findIndex((x) => x === want);
}

export function getAt(obj: unknown, path: Tok[]): unknown {
  let cur = obj;
  for (const t of path) {
    if (t.startsWith("f:")) cur = isObj(cur) ? cur[t.slice(2)] : undefined;
    else cur = Array.isArray(cur) ? cur[indexIn(cur, t)] : undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Removes the field/item at path (mutates obj). */
export function deleteAt(obj: unknown, path: Tok[]): void {
  const parent = getAt(obj, path.slice(0, -1));
  const t = path[path.length - 1];
  if (t.startsWith("f:")) {
    if (isObj(parent)) delete parent[t.slice(2)];
  } else if (Array.isArray(parent)) {
    const i = indexIn(parent, t);
    if (i >= 0) parent.splice(i, 1);
  }
}
