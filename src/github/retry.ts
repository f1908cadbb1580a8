// Waiting out GitHub's secondary rate limits. A 403/429 "You have exceeded a
// secondary rate limit" (with `retry-after`) refuses the request before doing
// anything, so any request — a POST that creates a comment or a Deployment
// too — can be sent again once the wait is over, without creating twice.
// Probot's own throttle handler only logs these (its onSecondaryRateLimit
// returns nothing) and @octokit/plugin-retry never retries a 403: without
// this, one secondary limit in the middle of a deploy loses its report.
// 5xx stay with plugin-retry (3 retries, 1 s / 4 s / 9 s).
import type { GitHub } from "./types.js";

export interface SecondaryLimitPolicy {
  /** Times one request is sent again after a secondary limit (default 3). */
  retries: number;
  /** A longer retry-after than this is not waited for: the error goes to the caller (default 120 s). */
  maxWaitMs: number;
}

const DEFAULT_POLICY: SecondaryLimitPolicy = { retries: 3, maxWaitMs: 120_000 };
const wrapped = new WeakSet<object>();

/** Adds the secondary-limit retry to a Probot/Octokit instance (once per instance); returns it. */
export function withGitHubRetries<T>(gh: T, policy: Partial<SecondaryLimitPolicy> = {}): T {
  const octokit = gh as unknown as GitHub;
  if (!octokit?.hook || wrapped.has(octokit)) return gh;
  wrapped.add(octokit);
  const p = { ...DEFAULT_POLICY, ...policy };
  octokit.hook.wrap("request", async (request, options) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(options);
      } catch (err) {
        const wait = secondaryLimitWait(err);
        if (wait === undefined || wait > p.maxWaitMs || attempt >= p.retries) throw err;
        octokit.log?.warn?.(`GitHub secondary rate limit on ${options.method} ${options.url}: retrying in ${Math.round(wait / 1000)} s`);
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  });
  return gh;
}

/** How long GitHub asks us to wait, when the error is a secondary rate limit; undefined otherwise. */
export function secondaryLimitWait(err: unknown): number | undefined {
  const e = err as { status?: number; message?: string; response?: { headers?: Record<string, string | undefined>; data?: { message?: string } } };
  if (e?.status !== 403 && e?.status !== 429) return undefined;
  const message = `${e.message ?? ""} ${e.response?.data?.message ?? ""}`;
  const retryAfter = Number(e.response?.headers?.["retry-after"]);
  const secondary = /secondary rate limit/i.test(message);
  // A 429 with retry-after is a rate limit however it is worded; a 403 must say so (it is also "forbidden").
  if (!secondary && !(e.status === 429 && Number.isFinite(retryAfter))) return undefined;
  // GitHub: without retry-after, wait at least one minute.
  return (Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : 60) * 1000;
}
