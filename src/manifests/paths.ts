// Resolving the environment path inside the checkout. A PR controls the files
// (and symlinks) in the tree, so every path is checked both lexically and
// after symlink resolution: nothing outside the repository is ever read.
import { realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { ManifestError } from "./types.js";

export interface EnvPath {
  /** realpath of the repository root. */
  realRoot: string;
  /** realpath of the environment path. */
  abs: string;
  /** Repository-relative, "/" separated; "" for the root. */
  rel: string;
  isDirectory: boolean;
}

/** "a/./b/" -> "a/b"; "." -> ""; undefined when absolute or escaping. */
export function normalizeRel(p: string): string | undefined {
  const slashed = p.replace(/\\/g, "/");
  if (slashed.startsWith("/") || /^[A-Za-z]:/.test(slashed) || slashed.includes("\0")) return undefined;
  const norm = path.posix.normalize(slashed === "" ? "." : slashed).replace(/\/+$/, "");
  if (norm === ".." || norm.startsWith("../")) return undefined;
  return norm === "." ? "" : norm;
}

/** True when `child` is `parent` or below it (both absolute, resolved). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/** Repository-relative "/" form of an absolute path below realRoot. */
export function repoRel(realRoot: string, abs: string): string {
  return path.relative(realRoot, abs).split(path.sep).join("/");
}

/** Human form of a repository-relative path: "" is the root ".". */
export function shown(rel: string): string {
  return rel === "" ? "." : rel;
}

export async function resolveEnvPath(root: string, envPath: string): Promise<EnvPath | ManifestError> {
  const fail = (message: string): ManifestError => ({ file: envPath, message, reason: "ManifestInvalid" });
  if (!path.isAbsolute(root)) return fail(`repository root must be an absolute path, got "${root}"`);
  const rel = normalizeRel(envPath);
  if (rel === undefined) return fail(`environment path "${envPath}" must be relative to the repository and stay inside it`);
  let realRoot: string;
  let abs: string;
  try {
    realRoot = await realpath(root);
  } catch {
    return fail(`repository root does not exist`);
  }
  try {
    abs = await realpath(path.join(realRoot, rel));
  } catch {
    return fail(`environment path "${shown(rel)}" does not exist in the repository`);
  }
  // Lexically inside, but a symlinked directory on the way may lead out.
  if (!isInside(realRoot, abs)) return fail(`environment path "${shown(rel)}" leads outside the repository through a symbolic link`);
  const st = await stat(abs);
  return { realRoot, abs, rel, isDirectory: st.isDirectory() };
}
