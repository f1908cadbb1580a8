// ignoreDifferences: fields a team lets something else own (an HPA's replicas,
// a mutating webhook's annotation). Removed from both sides before comparing,
// like Argo CD's jsonPointers.
import type { IgnoreRule } from "../config/types.js";
import type { KubeObject, ObjectId } from "../manifests/object.js";
import { isPlainObject } from "./equal.js";

export class PointerError extends Error {
  constructor(readonly pointer: string, reason: string) {
    super(`invalid JSON pointer "${pointer}": ${reason}`);
    this.name = "PointerError";
  }
}

/** RFC 6901: "/a~1b/0" -> ["a/b", "0"]; "" is the whole document -> []. */
export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new PointerError(pointer, 'must be empty or start with "/"');
  return pointer
    .slice(1)
    .split("/")
    .map((token) => {
      if (/~[^01]|~$/.test(token)) throw new PointerError(pointer, '"~" must be followed by 0 or 1');
      // Order matters: "~01" is "~1" literally, not "/".
      return token.replace(/~1/g, "/").replace(/~0/g, "~");
    });
}

export function ruleMatches(rule: IgnoreRule, id: ObjectId): boolean {
  if (rule.kind !== id.kind) return false;
  if (rule.group !== undefined && rule.group !== id.group) return false;
  if (rule.name !== undefined && rule.name !== id.name) return false;
  if (rule.namespace !== undefined && rule.namespace !== (id.namespace ?? "")) return false;
  return true;
}

const INDEX = /^(0|[1-9][0-9]*)$/;

/**
 * node without the value at tokens, copying only the containers on the path
 * (the rest is shared: cheap on large objects). node itself when the path is missing.
 */
function removeAt(node: unknown, tokens: string[]): unknown {
  const [head, ...tail] = tokens;
  if (Array.isArray(node)) {
    if (!INDEX.test(head) || Number(head) >= node.length) return node;
    const i = Number(head);
    if (!tail.length) return [...node.slice(0, i), ...node.slice(i + 1)];
    const child = removeAt(node[i], tail);
    return child === node[i] ? node : node.map((item, j) => (j === i ? child : item));
  }
  if (!isPlainObject(node) || !Object.prototype.hasOwnProperty.call(node, head)) return node;
  const { [head]: old, ...rest } = node;
  if (!tail.length) return rest;
  const child = removeAt(old, tail);
  if (child === old) return node;
  // A map emptied by ignoring its only field means the same as no map: drop it
  // so one side doesn't show "annotations: {}".
  if (isPlainObject(child) && Object.keys(child).length === 0) return rest;
  return { ...node, [head]: child };
}

/** obj without the fields every matching rule ignores; obj itself when nothing matched. Never mutates obj. */
export function applyIgnoreRules(rules: IgnoreRule[], id: ObjectId, obj: KubeObject): KubeObject {
  let result: unknown = obj;
  for (const rule of rules) {
    if (!ruleMatches(rule, id)) continue;
    for (const pointer of rule.jsonPointers) {
      let tokens: string[];
      try {
        tokens = parsePointer(pointer);
      } catch {
        continue; // config validation reports bad pointers; the diff just skips them
      }
      if (tokens.length) result = removeAt(result, tokens);
    }
  }
  return result as KubeObject;
}
