// A plain tree: every *.yaml / *.yml below the environment path. Symbolic
// links are refused outright (a PR could point one at /etc or at a secret
// elsewhere on the agent's disk), dot-files are skipped (.github, .git), and
// the order is byte order of the path so results do not depend on the disk.
import { constants } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { shown } from "./paths.js";
import type { ManifestError, ManifestLimits } from "./types.js";

export interface FileList {
  files: { rel: string; abs: string }[]; // rel: repository-relative
  errors: ManifestError[];
  /** maxFiles was exceeded: the list is incomplete, loading must stop. */
  overLimit: boolean;
}

const NESTED_KUSTOMIZATION = new Set(["kustomization.yaml", "kustomization.yml"]);

export function isYamlName(name: string): boolean {
  return name.endsWith(".yaml") || name.endsWith(".yml");
}

function invalid(file: string, message: string): ManifestError {
  return { file, message, reason: "ManifestInvalid" };
}

/** Lists manifest files below absDir (whose repository-relative path is relDir). */
export async function listManifestFiles(absDir: string, relDir: string, maxFiles: number): Promise<FileList> {
  const out: FileList = { files: [], errors: [], overLimit: false };
  const join = (dir: string, name: string): string => (dir === "" ? name : `${dir}/${name}`);
  async function walk(abs: string, rel: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(abs, { withFileTypes: true });
    } catch (err) {
      out.errors.push(invalid(shown(rel), `cannot list "${shown(rel)}" (${(err as NodeJS.ErrnoException).code ?? "error"})`));
      return;
    }
    for (const e of entries) {
      if (out.overLimit) return;
      if (e.name.startsWith(".")) continue;
      const childAbs = path.join(abs, e.name);
      const childRel = join(rel, e.name);
      if (e.isSymbolicLink()) {
        if (isYamlName(e.name) || (await isDirectoryTarget(childAbs))) {
          out.errors.push(invalid(childRel, `"${childRel}" is a symbolic link; Converge does not follow symbolic links in manifest trees (the target could lie outside the repository)`));
        }
        continue;
      }
      if (e.isDirectory()) {
        await walk(childAbs, childRel);
      } else if (e.isFile() && isYamlName(e.name)) {
        if (NESTED_KUSTOMIZATION.has(e.name)) {
          out.errors.push(invalid(childRel, `nested kustomization in a plain tree is not rendered; point the environment path at "${rel}" or reference it from a kustomization in "${shown(relDir)}"`));
          continue;
        }
        if (out.files.length >= maxFiles) {
          out.errors.push(invalid(shown(relDir), `more than ${maxFiles} manifest files (limit); nothing was loaded`));
          out.overLimit = true;
          return;
        }
        out.files.push({ rel: childRel, abs: childAbs });
      }
    }
  }
  await walk(absDir, relDir);
  // Byte order of the UTF-8 path, not UTF-16 code units: same order as git.
  const keyed = out.files.map((f) => ({ f, k: Buffer.from(f.rel) }));
  keyed.sort((a, b) => Buffer.compare(a.k, b.k));
  out.files = keyed.map((x) => x.f);
  return out;
}

async function isDirectoryTarget(abs: string): Promise<boolean> {
  try {
    return (await stat(abs)).isDirectory();
  } catch {
    return false; // dangling: nothing would be read through it anyway
  }
}

export type ReadResult = { text: string; size: number } | { error: ManifestError };

/**
 * Reads one manifest file without following a symlink swapped in after the
 * listing (O_NOFOLLOW), checking its size before reading a byte. Never
 * rejects: problems are returned as errors.
 */
export async function readManifestFile(abs: string, rel: string, maxFileBytes: number): Promise<ReadResult> {
  let fh;
  try {
    fh = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === "ELOOP" ? `"${rel}" is a symbolic link; Converge does not follow symbolic links in manifest trees` : `cannot read "${rel}" (${code ?? "error"})`;
    return { error: invalid(rel, message) };
  }
  try {
    const { size } = await fh.stat();
    if (size > maxFileBytes) {
      return { error: invalid(rel, `"${rel}" is ${formatBytes(size)}, over the limit of ${formatBytes(maxFileBytes)} per manifest file; not parsed`) };
    }
    return { text: await fh.readFile({ encoding: "utf8" }), size };
  } catch (err) {
    // Never reject: readInOrder may abandon reads in flight.
    return { error: invalid(rel, `cannot read "${rel}" (${(err as NodeJS.ErrnoException).code ?? "error"})`) };
  } finally {
    await fh.close();
  }
}

/**
 * Reads files in order, keeping up to `window` reads in flight so disk I/O
 * overlaps with (synchronous) parsing. Memory stays bounded by
 * window x maxFileBytes.
 */
export async function* readInOrder(files: { rel: string; abs: string }[], maxFileBytes: number, window = 8): AsyncGenerator<{ rel: string; read: ReadResult }> {
  const inFlight: Promise<ReadResult>[] = [];
  let next = 0;
  const fill = (): void => {
    while (next < files.length && inFlight.length < window) {
      const f = files[next++];
      inFlight.push(readManifestFile(f.abs, f.rel, maxFileBytes));
    }
  };
  for (let i = 0; i < files.length; i++) {
    fill();
    const read = await (inFlight.shift() as Promise<ReadResult>);
    yield { rel: files[i].rel, read };
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB (${n} bytes)`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB (${n} bytes)`;
  return `${n} bytes`;
}
