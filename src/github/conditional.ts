// Conditional GETs: GitHub answers 304 Not Modified to a request carrying the
// previous ETag and does not count it against the rate limit. Timers that
// re-read the same things every few minutes (config, branch heads) use this.
import type { GitHub } from "./types.js";

interface Entry {
  etag: string;
  data: unknown;
}

const MAX_ENTRIES = 20_000;
const cache = new Map<string, Entry>();

/** GET `route` with `params`; undefined on 404. Served from cache on 304. */
export async function conditionalGet<T>(gh: GitHub, route: string, params: Record<string, unknown>): Promise<T | undefined> {
  const key = `${route} ${JSON.stringify(params)}`.toLowerCase();
  const cached = cache.get(key);
  try {
    const res = await gh.request(route, { ...params, headers: cached ? { "if-none-match": cached.etag } : {} });
    if (res.headers.etag) {
      cache.delete(key);
      cache.set(key, { etag: res.headers.etag, data: res.data });
      if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
    }
    return res.data as T;
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 304 && cached) return cached.data as T;
    if (status === 404) {
      cache.delete(key);
      return undefined;
    }
    throw err;
  }
}
