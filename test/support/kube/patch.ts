// Non-apply PATCH bodies: JSON merge patch (RFC 7386), strategic merge patch and
// JSON patch (RFC 6902).

import { ANY, type Schema } from "./schema.js";
import { keyToken } from "./fieldset.js";
import { badRequest, status } from "./status.js";
import { clone, deepEqual, isObj, type Obj } from "./util.js";

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch);
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * Strategic merge patch, simplified: a merge patch, except that the schema's
 * associative lists (containers, initContainers, ports, env, volumes,
 * volumeMounts, ...) merge item by item on their key, and an item with
 * `$patch: delete` is removed. Other directives ($setElementOrder, $retainKeys,
 * $deleteFromPrimitiveList) are ignored.
 */
export function strategicMergePatch(target: unknown, patch: unknown, s: Schema): unknown {
  if (isObj(patch) && patch.$patch === "replace") return stripDirectives(patch);
  if (s.t === "list" && s.keys && Array.isArray(patch) && Array.isArray(target)) {
    const keys = s.keys;
    const out = target.slice();
    for (const item of patch) {
      if (!isObj(item)) continue;
      const tok = keyToken(item, keys);
      const i = out.findIndex((x) => isObj(x) && keyToken(x, keys) === tok);
      if (item.$patch === "delete") {
        if (i >= 0) out.splice(i, 1);
      } else if (i >= 0) out[i] = strategicMergePatch(out[i], item, s.item);
      else out.push(stripDirectives(item));
    }
    return out;
  }
  const mergeable = (s.t === "struct" && !s.atomic) || (s.t === "map" && !s.atomic) || s.t === "any";
  if (!isObj(patch) || !mergeable) return stripDirectives(patch);
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith("$")) continue;
    if (v === null) delete out[k];
    else out[k] = strategicMergePatch(out[k], v, childSchema(s, k));
  }
  return out;
}

function childSchema(s: Schema, k: string): Schema {
  if (s.t === "struct") return s.fields[k] ?? ANY;
  if (s.t === "map") return s.values;
  return ANY;
}

function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, c] of Object.entries(v)) if (!k.startsWith("$")) out[k] = stripDirectives(c);
  return out;
}

// ---- RFC 6902 -----------------------------------------------------------------

interface Op { op: string; path: string; value?: unknown; from?: string }

function pointer(p: string): string[] {
  if (p === "") return [];
  if (!p.startsWith("/")) throw new PatchError(`add operation does not apply: doc is missing path: "${p}"`);
  return p.slice(1).split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

class PatchError extends Error {}

function parentOf(doc: unknown, parts: string[], path: string): [Obj | unknown[], string] {
  let cur: unknown = doc;
  for (const part of parts.slice(0, -1)) {
    cur = Array.isArray(cur) ? cur[Number(part)] : isObj(cur) ? cur[part] : undefined;
    if (cur === undefined) throw new PatchError(`doc is missing path: "${path}": missing value`);
  }
  if (!isObj(cur) && !Array.isArray(cur)) throw new PatchError(`doc is missing path: "${path}": missing value`);
  return [cur, parts[parts.length - 1]];
}

function read(doc: unknown, path: string): unknown {
  let cur = doc;
  for (const part of pointer(path)) {
    cur = Array.isArray(cur) ? cur[Number(part)] : isObj(cur) ? cur[part] : undefined;
    if (cur === undefined) throw new PatchError(`doc is missing path: "${path}": missing value`);
  }
  return cur;
}

function add(doc: unknown, path: string, value: unknown): unknown {
  const parts = pointer(path);
  if (parts.length === 0) return clone(value);
  const [parent, last] = parentOf(doc, parts, path);
  if (Array.isArray(parent)) {
    const i = last === "-" ? parent.length : Number(last);
    if (!(i >= 0 && i <= parent.length)) throw new PatchError(`add operation does not apply: doc is missing path: "${path}": missing value`);
    parent.splice(i, 0, clone(value));
  } else parent[last] = clone(value);
  return doc;
}

function remove(doc: unknown, path: string): unknown {
  const parts = pointer(path);
  const [parent, last] = parentOf(doc, parts, path);
  if (Array.isArray(parent)) {
    const i = Number(last);
    if (!(i >= 0 && i < parent.length)) throw new PatchError(`remove operation does not apply: doc is missing path: "${path}": missing value`);
    parent.splice(i, 1);
  } else {
    if (!(last in parent)) throw new PatchError(`remove operation does not apply: doc is missing path: "${path}": missing value`);
    delete parent[last];
  }
  return doc;
}

/** Applies RFC 6902 operations. Malformed patch: 400; an operation that does not apply: 422 (as the apiserver answers). */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  let doc = clone(target);
  try {
    for (const raw of ops as Op[]) {
      if (!isObj(raw) || typeof raw.op !== "string" || typeof raw.path !== "string") throw badRequest("json patch operation is missing op or path");
      switch (raw.op) {
        case "add": doc = add(doc, raw.path, raw.value); break;
        case "remove": doc = remove(doc, raw.path); break;
        case "replace": read(doc, raw.path); doc = add(remove(doc, raw.path), raw.path, raw.value); break;
        case "move": { const v = read(doc, raw.from ?? ""); doc = add(remove(doc, raw.from ?? ""), raw.path, v); break; }
        case "copy": doc = add(doc, raw.path, read(doc, raw.from ?? "")); break;
        case "test": if (!deepEqual(read(doc, raw.path), raw.value)) throw new PatchError(`testing value ${raw.path} failed: test failed`); break;
        default: throw badRequest(`Unexpected kind: ${raw.op}`);
      }
    }
  } catch (err) {
    if (err instanceof PatchError) throw status(422, "Invalid", err.message);
    throw err;
  }
  return doc;
}
