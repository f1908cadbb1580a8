// Shared by the handlers: turn a webhook's pull request into PullState and
// queue the preview or the gate for it (never awaited: the webhook must be
// answered within GitHub's 10 s).
import { createHash } from "node:crypto";
import type { Context } from "probot";
import type { PullState } from "../engine/approval.js";
import { previewPullRequest, recordKey, type PreviewDeps } from "../engine/preview.js";
import { regatePullRequest } from "../engine/regate.js";
import type { GitHub, RepoRef } from "../github/types.js";
import type { Runtime } from "../runtime.js";

export interface PullLike {
  number: number;
  head: { sha: string; repo?: { full_name: string } | null };
  base: { ref: string; repo?: { full_name: string } };
  user?: { login: string } | null;
  labels?: Array<{ name: string }>;
}

export function pullState(pr: PullLike, repository: { full_name: string; default_branch?: string }, fresh = false): PullState {
  return {
    number: pr.number,
    headSha: pr.head.sha,
    baseRef: pr.base.ref,
    defaultBranch: repository.default_branch ?? "main",
    author: pr.user?.login ?? "",
    labels: (pr.labels ?? []).map((l) => l.name),
    // A deleted fork has head.repo null: treat it as a fork.
    fork: pr.head.repo?.full_name?.toLowerCase() !== repository.full_name.toLowerCase(),
    fresh,
  };
}

export type PullJob = "preview" | "gate";

/**
 * True the first time a delivery is seen; repeats are logged and dropped. A
 * repeat is the same delivery id (GitHub's redelivery) or the same event under
 * a new id (a second webhook, a replay): byte-for-byte the same payload. Two
 * real events never are — they differ in a head SHA, an id or a timestamp.
 */
export function firstDelivery(rt: Runtime, context: Context): boolean {
  const fingerprint = `${context.name}:${createHash("sha256").update(JSON.stringify(context.payload)).digest("hex")}`;
  if (rt.deliveries.firstTime(context.id) && rt.deliveries.firstTime(fingerprint)) {
    rt.events.emit("webhook", { event: context.name, outcome: "queued" });
    return true;
  }
  rt.log.info({ delivery: context.id, event: context.name }, "duplicate delivery ignored");
  rt.events.emit("webhook", { event: context.name, outcome: "duplicate" });
  return false;
}

/**
 * Queue work for one PR; returns at once. Jobs coalesce per PR: a burst of
 * pushes previews only the newest head, and a gate re-check never replaces a
 * preview that is still owed.
 */
export function schedule(rt: Runtime, context: Context, repo: RepoRef, pull: PullState, job: PullJob): void {
  const gh = context.octokit as unknown as GitHub;
  const key = `${repo.owner}/${repo.repo}#${pull.number}`.toLowerCase();
  const owed = rt.owed;
  owed.set(key, { pull, preview: job === "preview" || !!owed.get(key)?.preview, delivery: context.id });
  void rt.queue.submit(key, `${job}@${pull.headSha.slice(0, 7)}`, async () => {
    const work = owed.get(key);
    if (!work) return;
    owed.delete(key);
    await rt.resolveBotLogin();
    const deps = { clusters: rt.clusters, log: rt.log.child({ delivery: work.delivery }), botLogin: rt.botLogin, appId: rt.appId, records: rt.records };
    if (work.preview) await previewWithEvents(rt, gh, repo, work.pull, deps);
    else await regatePullRequest(gh, repo, work.pull, deps);
  });
}

/**
 * Work a handler must not do while GitHub waits for the webhook's answer (any
 * GitHub call: under the write throttle one can take seconds). Queued under
 * the delivery id, so it never coalesces with anything else.
 */
export function later(rt: Runtime, context: Context, label: string, work: () => Promise<void>): void {
  void rt.queue.submit(`webhook:${context.id}`, label, work);
}

/** The preview, then one `preview` domain event per environment it planned (its gate record is the result). */
async function previewWithEvents(rt: Runtime, gh: GitHub, repo: RepoRef, pull: PullState, deps: PreviewDeps): Promise<void> {
  const t0 = Date.now();
  const before = rt.records.get(recordKey(repo, pull.number));
  await previewPullRequest(gh, repo, pull, deps);
  const after = rt.records.get(recordKey(repo, pull.number));
  if (!after || after === before) return;
  for (const e of after.environments) rt.events.emit("preview", { repo, env: e.name, result: e.errorCount ? "failure" : "success", ms: Date.now() - t0 });
}
