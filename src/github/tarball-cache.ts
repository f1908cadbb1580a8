// Tarballs by commit SHA: a commit's content never changes, so periodic work
// (drift checks every few minutes) downloads each revision once, not once per
// check. Bounded by total bytes; least recently used goes first.
import { downloadTarball } from "./pulls.js";
import type { GitHub, RepoRef } from "./types.js";

const MAX_BYTES = 128 << 20;
const cache = new Map<string, Buffer>();
let bytes = 0;

/** Downloads in flight: concurrent checks of one revision share one download. */
const inflight = new Map<string, Promise<Buffer>>();

export async function cachedTarball(gh: GitHub, repo: RepoRef, sha: string): Promise<Buffer> {
  const key = `${repo.owner}/${repo.repo}@${sha}`.toLowerCase();
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  let pending = inflight.get(key);
  if (!pending) {
    pending = downloadTarball(gh, repo, sha).finally(() => inflight.delete(key));
    inflight.set(key, pending);
  } else return pending;
  const data = await pending;
  cache.set(key, data);
  bytes += data.length;
  while (bytes > MAX_BYTES && cache.size > 1) {
    const [oldest, buf] = cache.entries().next().value as [string, Buffer];
    cache.delete(oldest);
    bytes -= buf.length;
  }
  return data;
}
