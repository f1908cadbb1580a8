// Public types of the manifest loader. Kept apart from load.ts so helpers can
// share them without import cycles.
import type { DesiredObject } from "./object.js";

export interface ManifestLimits {
  /** A single file larger than this is rejected before it is read or parsed. */
  maxFileBytes: number;
  /** Sum of all files read (or of kustomize's output). */
  maxTotalBytes: number;
  /** YAML documents in total, empty ones included: parsing stops past it. */
  maxDocuments: number;
  /** yaml's maxAliasCount: bounds alias expansion ("billion laughs"). */
  maxAliases: number;
  /** Manifest files (*.yaml, *.yml) in a plain tree. */
  maxFiles: number;
  kustomizeTimeoutMs: number;
}

export const DEFAULT_LIMITS: ManifestLimits = {
  maxFileBytes: 4 * 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
  maxDocuments: 20_000,
  maxAliases: 100,
  maxFiles: 10_000,
  kustomizeTimeoutMs: 60_000,
};

export interface LoadOptions {
  /** Repository checkout on disk (absolute). */
  root: string;
  /** Environment path, repository-relative ("" or "." for the root). */
  path: string;
  /** Given to namespaced objects that declare no namespace. */
  defaultNamespace?: string;
  /** From API discovery; undefined = unknown (the built-in table decides). */
  namespacedKind?: (apiVersion: string, kind: string) => boolean | undefined;
  limits?: Partial<ManifestLimits>;
}

export interface ManifestError {
  /** Repository-relative, "/" separated. */
  file: string;
  line?: number;
  /** Dotted field path when one field is at fault ("metadata.name"). */
  field?: string;
  /** Never contains file content (a Secret's value could be in it). */
  message: string;
  reason: "ManifestInvalid" | "RenderFailed";
}

export interface LoadResult {
  objects: DesiredObject[];
  errors: ManifestError[];
  renderer: "plain" | "kustomize";
  /**
   * Repository-relative inputs: files read, and directories (ending in "/",
   * "./" for the repository root) whose whole subtree was an input.
   */
  inputs: string[];
}
