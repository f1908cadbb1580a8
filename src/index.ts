// Probot entry: wires webhook handlers to operations, nothing else.
import type { ApplicationFunction, Probot } from "probot";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRuntime, type ConvergeOptions, type Runtime } from "./runtime.js";
import type { GitHub } from "./github/types.js";
import { withGitHubRetries } from "./github/retry.js";
import { onPullRequest, PULL_REQUEST_EVENTS } from "./handlers/pull-request.js";
import { onReview, REVIEW_EVENTS } from "./handlers/review.js";
import { onCheckRunRerequested } from "./handlers/check-run.js";
import { onComment } from "./handlers/comment.js";
import { onMergeGroup } from "./handlers/merge-group.js";
import { onPush } from "./handlers/push.js";
import { startReconciler } from "./agent/reconcile.js";
import { wireFailurePolicy } from "./agent/failure.js";
import { driftVisitor } from "./agent/drift.js";
import { installObservability } from "./observe/index.js";

type AddHandler = (handler: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>) => void;

/** Runtimes of the loaded apps, for a graceful shutdown. */
const runtimes = new Set<Runtime>();

/** Stop timers and wait for running jobs (deploys release their Leases when they end). */
export async function shutdown(): Promise<void> {
  for (const rt of runtimes) rt.reconciler?.stop();
  await Promise.all([...runtimes].map((rt) => rt.queue.idle()));
  for (const rt of runtimes) rt.clusters.close();
}

/** The handler with its event's GitHub client waiting out secondary rate limits (github/retry.ts). */
function retrying<C extends { octokit: unknown }>(handler: (context: C) => Promise<void>): (context: C) => Promise<void> {
  return (context) => handler((withGitHubRetries(context.octokit), context));
}

export function createConverge(opts: ConvergeOptions = {}, onRuntime?: (rt: Runtime) => void): ApplicationFunction {
  return (app: Probot, { addHandler }: { addHandler?: AddHandler } = {}) => {
    const rt = createRuntime(app.log, async () => withGitHubRetries((await app.auth()) as unknown as GitHub), opts);
    runtimes.add(rt);
    onRuntime?.(rt);
    app.on([...PULL_REQUEST_EVENTS], retrying(onPullRequest(rt)));
    app.on([...REVIEW_EVENTS], retrying(onReview(rt)));
    app.on("check_run.rerequested", retrying(onCheckRunRerequested(rt)));
    app.on("issue_comment.created", retrying(onComment(rt)));
    app.on("merge_group.checks_requested", retrying(onMergeGroup(rt)));
    app.on("push", retrying(onPush(rt)));
    wireFailurePolicy(rt);
    installObservability(app, rt, addHandler, opts);
    const interval = opts.reconcileIntervalMs ?? reconcileIntervalFromEnv(process.env.CONVERGE_RECONCILE_INTERVAL);
    rt.reconciler = startReconciler(app, rt, interval, driftVisitor(rt));
    // The first walk right after start: a restart in the middle of a deploy, or
    // webhooks missed while down, converge without waiting a whole interval.
    if (interval > 0) setTimeout(() => void rt.reconciler?.runOnce().catch((err) => app.log.error({ err }, "start-up reconcile failed")), 1_000).unref();
    app.log.info({ clusters: rt.clusters.names(), reconcileSeconds: interval / 1000 }, "Converge loaded");
  };
}

/** CONVERGE_RECONCILE_INTERVAL in seconds (default 300; 0 turns the timer off; at least 30 otherwise). */
export function reconcileIntervalFromEnv(value: string | undefined): number {
  if (value === undefined || value === "") return 300_000;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0 || (seconds > 0 && seconds < 30)) {
    throw new Error(`CONVERGE_RECONCILE_INTERVAL must be 0 (off) or a number of seconds ≥ 30, not "${value}"`);
  }
  return seconds * 1000;
}

export const converge = createConverge();
export default converge;
