// The plan: what applying a revision would do, object by object. Everything
// (CLI output, PR comment, check run, deploy) renders or executes this value.
import type { ObjectId, SourceRef } from "../manifests/object.js";

export type Action = "create" | "update" | "delete" | "unchanged";

export interface SecretKeyChange {
  key: string;
  change: "added" | "changed" | "removed";
}

export interface PlanChange {
  action: Action;
  id: ObjectId;
  apiVersion: string;
  source?: SourceRef;
  /** Unified diff of canonical YAML (live -> predicted), secrets masked. "" when unchanged. */
  diff: string;
  /** For Secrets: which keys changed, never values. */
  secretKeys?: SecretKeyChange[];
  /** Why this change needs an explicit opt-in (deletion, Namespace, CRD, immutable field…). */
  dangers: string[];
}

export type PlanErrorReason =
  | "ConfigInvalid"
  | "ClusterNotAllowed"
  | "ManifestInvalid"
  | "RenderFailed"
  | "UnknownKind"
  | "ValidationFailed"
  | "DryRunFailed"
  | "ClusterUnreachable";

export interface PlanError {
  reason: PlanErrorReason;
  message: string; // names the file / field where known
  file?: string;
  line?: number;
  id?: ObjectId;
}

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  unchanged: number;
}

export interface Plan {
  environment: string;
  revision?: string;
  summary: PlanSummary;
  /** Sorted: deletes last, then by kind order and identity. Includes unchanged entries. */
  changes: PlanChange[];
  errors: PlanError[];
  /** True when the server refused dry-run and a client-side comparison was used. */
  clientSideFallback: boolean;
}
