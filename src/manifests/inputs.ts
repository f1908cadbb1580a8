// Small helpers for callers of loadManifests.
import type { ManifestError } from "./types.js";

/**
 * Whether any changed file (repository-relative, from the PR's file list)
 * is one of `inputs`, or lies below one of its directories ("dir/"; "./" is
 * the whole repository). For plain trees, also pass the environment path
 * (`envPath`): a deleted or renamed manifest is not among the files read.
 */
export function touchesInputs(inputs: readonly string[], changed: readonly string[], envPath?: string): boolean {
  const dirs = inputs.filter((i) => i.endsWith("/"));
  if (dirs.includes("./")) return changed.length > 0;
  const files = new Set(inputs.filter((i) => !i.endsWith("/")));
  const env = envPath?.replace(/^\.\/?/, "").replace(/\/+$/, "");
  if (env === "") return changed.length > 0;
  if (env) dirs.push(`${env}/`);
  return changed.some((f) => files.has(f) || f === env || dirs.some((d) => f.startsWith(d)));
}

/** "envs/prod/app.yaml:12: metadata.name is missing" — one line per error. */
export function formatManifestError(e: ManifestError): string {
  return `${e.file}${e.line !== undefined ? `:${e.line}` : ""}: ${e.message}`;
}
