// A repository at one commit, on local disk, from a single tarball request:
// the same input the CLI reads from a working copy. Refused entries (symlinks,
// escaping paths) are kept so the preview can show them as errors.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { readTar, type TarRefusal } from "./tar.js";

export interface Checkout {
  root: string;
  refused: TarRefusal[];
  dispose(): Promise<void>;
}

export async function checkoutFromTarball(gzipped: Buffer, maxUnpackedBytes = 512 << 20): Promise<Checkout> {
  const tar = gunzipSync(gzipped, { maxOutputLength: maxUnpackedBytes + (64 << 20) });
  const { files, refused } = readTar(tar);
  const root = await mkdtemp(join(tmpdir(), "converge-"));
  try {
    const dirs = new Set<string>();
    for (const f of files) {
      const target = join(root, f.path);
      const dir = dirname(target);
      if (!dirs.has(dir)) {
        await mkdir(dir, { recursive: true });
        dirs.add(dir);
      }
      await writeFile(target, f.data);
    }
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  }
  return { root, refused, dispose: () => rm(root, { recursive: true, force: true }) };
}
