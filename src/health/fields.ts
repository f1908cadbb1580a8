// Defensive readers for unstructured objects: live objects come from the API
// as plain JSON, so every field may be missing or of an unexpected type.
import type { KubeObject } from "../manifests/object.js";

export type Fields = Record<string, unknown>;

export function fields(value: unknown): Fields {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Fields) : {};
}

export function fieldList(value: unknown): Fields[] {
  return Array.isArray(value) ? value.map(fields) : [];
}

/** Integers may arrive as numbers or (in annotations and labels) as digit strings. */
export function int(value: unknown, fallback = 0): number {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^-?\d+$/.test(value)) return Number(value);
  return fallback;
}

export function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

export function specOf(obj: KubeObject): Fields {
  return fields(obj.spec);
}

export function statusOf(obj: KubeObject): Fields {
  return fields(obj.status);
}

export function generationOf(obj: KubeObject): number {
  return int(obj.metadata.generation);
}

export interface Condition {
  type: string;
  status: string; // "True" | "False" | "Unknown"
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

export function conditionsOf(obj: KubeObject): Condition[] {
  return fieldList(statusOf(obj).conditions).map((c) => ({
    type: text(c.type) ?? "",
    status: text(c.status) ?? "Unknown",
    reason: text(c.reason),
    message: text(c.message),
    observedGeneration: typeof c.observedGeneration === "number" ? c.observedGeneration : undefined,
  }));
}

export function conditionOf(obj: KubeObject, type: string): Condition | undefined {
  return conditionsOf(obj).find((c) => c.type === type);
}

/** "1 replica", "3 replicas". */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** True when `owner` is the controller of `child` (uid when both carry one, else kind + name). */
export function isControlledBy(child: KubeObject, owner: KubeObject): boolean {
  const ownerUid = text(owner.metadata.uid);
  return fieldList(child.metadata.ownerReferences).some((ref) => {
    if (ref.controller !== true) return false;
    const refUid = text(ref.uid);
    if (refUid && ownerUid) return refUid === ownerUid;
    return ref.kind === owner.kind && ref.name === owner.metadata.name;
  });
}

export function hasController(child: KubeObject): boolean {
  return fieldList(child.metadata.ownerReferences).some((ref) => ref.controller === true);
}
