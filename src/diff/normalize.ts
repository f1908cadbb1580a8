// Strip what the server owns or rewrites on every write, so that the only
// differences left between live and predicted are ones a reviewer cares about.
// Modelled on gitops-engine's normalizers and flux ssa's field sanitising.
import type { KubeObject } from "../manifests/object.js";
import { isPlainObject, sortedCopy } from "./equal.js";

/** Converge stamps these on every apply; the cluster adapter must use the same names. */
export const REVISION_ANNOTATION = "converge.dev/revision";
export const REPOSITORY_ANNOTATION = "converge.dev/repository";
/** ApplySet membership label (KEP-3659): marks objects Converge may prune. */
export const APPLYSET_PART_OF_LABEL = "applyset.kubernetes.io/part-of";

/** Label/annotation keys Converge writes at apply time: never part of a diff. */
export const STAMP_KEYS: readonly string[] = [REVISION_ANNOTATION, REPOSITORY_ANNOTATION, APPLYSET_PART_OF_LABEL];

/** Metadata fields the API server sets and rewrites. */
const SERVER_METADATA = new Set(["managedFields", "resourceVersion", "uid", "generation", "creationTimestamp", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"]);

/** Annotations written by controllers and kubectl, not by the author. */
const CONTROLLER_ANNOTATIONS = new Set([
  "kubectl.kubernetes.io/last-applied-configuration",
  "deployment.kubernetes.io/revision",
  "control-plane.alpha.kubernetes.io/leader",
]);
const CONTROLLER_ANNOTATION_PREFIXES = ["autoscaling.alpha.kubernetes.io/"];

function isNoiseKey(key: string): boolean {
  return STAMP_KEYS.includes(key) || CONTROLLER_ANNOTATIONS.has(key) || CONTROLLER_ANNOTATION_PREFIXES.some((p) => key.startsWith(p));
}

function withoutNoise(map: unknown): Record<string, string> | undefined {
  if (!isPlainObject(map)) return undefined;
  const out: Record<string, string> = {};
  for (const key of Object.keys(map).sort()) if (!isNoiseKey(key)) out[key] = map[key] as string;
  // An empty map and no map mean the same to the server; keep neither.
  return Object.keys(out).length ? out : undefined;
}

function normalizeMetadata(meta: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // Skip before copying: managedFields is often larger than the spec itself.
  for (const key of Object.keys(meta).sort()) {
    if (SERVER_METADATA.has(key)) continue;
    const value = key === "labels" || key === "annotations" ? withoutNoise(meta[key]) : sortedCopy(meta[key]);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Deep, key-sorted copy of obj without server-owned noise. Never mutates obj. */
export function normalizeObject(obj: KubeObject): KubeObject {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj).sort()) {
    if (key === "status" || obj[key] === undefined) continue;
    out[key] = key === "metadata" ? normalizeMetadata(obj.metadata) : sortedCopy(obj[key]);
  }
  return out as KubeObject;
}
