// Reads kustomization files (recursively, through local bases) just enough to
// (1) refuse what would make kustomize reach outside the checkout — remote
// bases, URLs, absolute paths, paths leaving the repository, and paths that
// do not exist (kustomize retries those as remote git URLs) — and (2) list
// the inputs outside the environment directory, so a PR touching a shared
// base counts as touching the environment.
import { lstat, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { isInside, repoRel } from "./paths.js";
import { readManifestFile } from "./plain.js";
import type { ManifestError, ManifestLimits } from "./types.js";
import { parseYamlStream } from "./yaml.js";

export const KUSTOMIZATION_NAMES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

// Fields whose entries are paths (files or directories). Entries containing a
// newline are inline YAML (patches, generator configs) and are skipped.
const PATH_LISTS = ["resources", "bases", "components", "crds", "configurations", "generators", "transformers", "validators", "patchesStrategicMerge"];
const PATH_OBJECT_LISTS = ["patches", "patchesJson6902", "replacements"];
const GENERATORS = ["configMapGenerator", "secretGenerator"];
// Directories in these fields are kustomizations themselves: scan them too.
const NESTED = new Set(["resources", "bases", "components", "generators", "transformers", "validators"]);
const MAX_DEPTH = 32;

export interface RefScan {
  inputs: Set<string>;
  errors: ManifestError[];
}

interface Ctx extends RefScan {
  realRoot: string;
  envAbs: string;
  limits: ManifestLimits;
  visited: Set<string>;
}

/** Name of the kustomization file in absDir, if any. */
export async function findKustomization(absDir: string): Promise<string | undefined> {
  for (const name of KUSTOMIZATION_NAMES) {
    try {
      await lstat(path.join(absDir, name));
      return name;
    } catch {
      // not this one
    }
  }
  return undefined;
}

export function looksRemote(ref: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(ref) ||
    ref.startsWith("git@") ||
    ref.startsWith("git::") ||
    /^(github\.com|gitlab\.com|bitbucket\.org)[/:]/.test(ref) ||
    /[?&](ref|version|timeout|submodules)=/.test(ref)
  );
}

export async function scanKustomization(realRoot: string, envAbs: string, limits: ManifestLimits): Promise<RefScan> {
  const ctx: Ctx = { realRoot, envAbs, limits, visited: new Set(), inputs: new Set(), errors: [] };
  await scanDir(envAbs, ctx, 0);
  return { inputs: ctx.inputs, errors: ctx.errors };
}

async function scanDir(dirAbs: string, ctx: Ctx, depth: number): Promise<void> {
  if (ctx.visited.has(dirAbs) || depth > MAX_DEPTH) return;
  ctx.visited.add(dirAbs);
  const name = await findKustomization(dirAbs);
  if (!name) return; // kustomize reports a directory without one itself
  const fileRel = repoRel(ctx.realRoot, path.join(dirAbs, name));
  const fail = (message: string, field?: string): void => {
    ctx.errors.push({ file: fileRel, message, reason: "ManifestInvalid", ...(field ? { field } : {}) });
  };
  if ((await lstat(path.join(dirAbs, name))).isSymbolicLink()) return fail(`"${fileRel}" is a symbolic link; Converge does not follow symbolic links`);
  const read = await readManifestFile(path.join(dirAbs, name), fileRel, ctx.limits.maxFileBytes);
  if ("error" in read) return void ctx.errors.push(read.error);
  const parsed = parseYamlStream(read.text, ctx.limits.maxAliases, 1);
  for (const p of parsed.problems) ctx.errors.push({ file: fileRel, message: p.message, reason: "ManifestInvalid", ...(p.line ? { line: p.line } : {}) });
  if (parsed.overLimit) return fail("a kustomization file must hold a single YAML document");
  const k = parsed.docs[0]?.value;
  if (k === undefined) return parsed.problems.length > 0 ? undefined : fail("kustomization file is empty");
  if (typeof k !== "object" || k === null || Array.isArray(k)) return fail("kustomization is not a mapping");
  for (const { field, ref } of collectRefs(k as Record<string, unknown>)) {
    const target = await checkRef(dirAbs, field, ref, ctx, fail);
    if (target?.isDir && NESTED.has(field)) await scanDir(target.real, ctx, depth + 1);
  }
}

async function checkRef(dirAbs: string, field: string, ref: string, ctx: Ctx, fail: (m: string, f?: string) => void): Promise<{ real: string; isDir: boolean } | undefined> {
  const what = `${field} entry "${ref}"`;
  if (looksRemote(ref)) return void fail(`${what} is remote; Converge does not fetch remote bases or URLs: vendor it into the repository`, field);
  if (path.isAbsolute(ref)) return void fail(`${what} is an absolute path; use a path relative to the kustomization`, field);
  const abs = path.resolve(dirAbs, ref);
  if (!isInside(ctx.realRoot, abs)) return void fail(`${what} points outside the repository`, field);
  let real: string;
  try {
    real = await realpath(abs);
  } catch {
    // Not a local path: kustomize would go on to try it as a git URL.
    return void fail(`${what} does not exist in the repository`, field);
  }
  if (!isInside(ctx.realRoot, real)) return void fail(`${what} leads outside the repository through a symbolic link`, field);
  const isDir = (await stat(real)).isDirectory();
  if (!isInside(ctx.envAbs, real)) {
    const rel = repoRel(ctx.realRoot, real);
    ctx.inputs.add(isDir ? (rel === "" ? "./" : `${rel}/`) : rel);
  }
  return { real, isDir };
}

function collectRefs(k: Record<string, unknown>): { field: string; ref: string }[] {
  const out: { field: string; ref: string }[] = [];
  const add = (field: string, v: unknown): void => {
    if (typeof v === "string" && v !== "" && !v.includes("\n")) out.push({ field, ref: v });
  };
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  for (const field of PATH_LISTS) for (const v of list(k[field])) add(field, v);
  for (const field of PATH_OBJECT_LISTS) for (const v of list(k[field])) add(field, (v as { path?: unknown } | null)?.path);
  add("openapi", (k.openapi as { path?: unknown } | null | undefined)?.path);
  for (const field of GENERATORS) {
    for (const g of list(k[field])) {
      const gen = (g ?? {}) as { files?: unknown; envs?: unknown; env?: unknown };
      // "key=path" names the key; the path follows the first "=".
      for (const f of list(gen.files)) add(field, typeof f === "string" ? f.slice(f.indexOf("=") + 1) : f);
      for (const e of list(gen.envs)) add(field, e);
      add(field, gen.env);
    }
  }
  return out;
}
