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

/** Identical reads in flight: concurrent callers share one request. */
const inflight = new Map<string, Promise<unknown>>();

/**
 * GET `route` with `params`; undefined on 404. Served from cache on 304.
 * `scope` separates callers whose identical route+params mean different data
 * (routes that name no repository, such as the installation's repositories).
 */
export async function conditionalGet<T>(gh: GitHub, route: string, params: Record<string, unknown>, scope = ""): Promise<T | undefined> {
  const key = `${scope} ${route} ${JSON.stringify(params)}`.toLowerCase();
  let pending = inflight.get(key) as Promise<T | undefined> | undefined;
  if (!pending) {
    pending = fetchConditional<T>(gh, route, params, key).finally(() => inflight.delete(key));
    inflight.set(key, pending);
  }
  return pending;
}

async function fetchConditional<T>(gh: GitHub, route: string, params: Record<string, unknown>, key: string): Promise<T | undefined> {
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
