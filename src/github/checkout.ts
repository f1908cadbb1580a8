// A repository at one commit, on local disk, from a single tarball request:
// the same input the CLI reads from a working copy. Refused entries (symlinks,
// escaping paths) are kept so the preview can show them as errors.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { readTar, TarLimitError, type TarRefusal } from "./tar.js";

export interface Checkout {
  root: string;
  refused: TarRefusal[];
  dispose(): Promise<void>;
}

/**
 * The archive cannot be checked out within Converge's limits (too many
 * entries, too large unpacked, not a gzip): a problem of the repository's
 * content that its users must be told about, not an outage.
 */
export class CheckoutError extends Error {}

export async function checkoutFromTarball(gzipped: Buffer, maxUnpackedBytes = 512 << 20): Promise<Checkout> {
  let tar: Buffer;
  try {
    tar = gunzipSync(gzipped, { maxOutputLength: maxUnpackedBytes + (64 << 20) });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ERR_BUFFER_TOO_LARGE") throw new CheckoutError(`the repository archive unpacks to more than ${maxUnpackedBytes + (64 << 20)} bytes (limit)`);
    throw new CheckoutError(`the repository archive could not be unpacked (${code ?? "error"})`);
  }
  let read: ReturnType<typeof readTar>;
  try {
    read = readTar(tar);
  } catch (err) {
    if (err instanceof TarLimitError) throw new CheckoutError(`the repository archive is over Converge's limits: ${err.message}`);
    throw err;
  }
  const { files, refused } = read;
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
