// deployEnvironment: merging is deploying. For one (repository, environment,
// commit) — a pipeline:
//   lease      one deployer per environment across replicas (Kubernetes Lease)
//   order      never apply a commit older than the one deployed (another replica may have been faster)
//   checkout   the commit's tarball (one API call)
//   deploy     runDeploy: plan → GitHub Deployment (payload: plan summary, in_progress) → apply → verify → record
//   report     deployment status success/failure; a comment on the merged PR(s)
//   failure    onFailure policy (revert PR) — see engine/revert.ts
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { EnvironmentConfig } from "../config/types.js";
import type { ClusterPool } from "../agent/clusters.js";
import { acquireLease } from "../cluster/lease.js";
import { annotateInventory, readInventory } from "../cluster/inventory.js";
import { parentRef, ANN_REVISION, ANN_FAILED_REVISION, type InventoryState } from "../inventory/applyset.js";
import { decide } from "./decide.js";
import { branchHeadSha } from "../github/git.js";
import { CheckoutError, checkoutFromTarball, type Checkout } from "../github/checkout.js";
import { downloadTarball } from "../github/pulls.js";
import { createDeployment, pullsForCommit, setDeploymentStatus, unfinishedDeployments, type DeploymentState } from "../github/deployments.js";
import { fullName, type GitHub, type RepoRef } from "../github/types.js";
import { deployComment, short, statusDescription } from "../report/deploy.js";
import { runDeploy, type DeployRun } from "./run-deploy.js";
import type { ConvergeEmitter } from "../agent/events.js";

/** Failures the commit itself caused: the ones a revert can fix (not an unreachable or refused cluster). */
const COMMIT_FAULTS = new Set<DeployRun["reason"]>(["Degraded", "Timeout", "ApplyFailed", "ValidationFailed", "RenderFailed"]);

export type DeployTrigger = "push" | "reconcile" | "drift";

export interface DeployRequest {
  gh: GitHub;
  repo: RepoRef;
  env: EnvironmentConfig;
  sha: string;
  trigger: DeployTrigger;
  /** Commits queued before this one and never deployed (recorded as superseded). */
  superseded?: string[];
  /** For drift corrections: the diff being corrected (secrets already masked). */
  driftReport?: string;
}

export interface DeployDeps {
  clusters: ClusterPool;
  log: Logger;
  identity: string;
  leaseNamespace: string;
  /** Test knobs. */
  verifyTimeoutMs?: number;
  pollMs?: number;
  onFailure?: (req: DeployRequest, run: DeployRun, deploymentUrl?: string) => Promise<void>;
  onSuccess?: (req: DeployRequest, run: DeployRun) => Promise<void>;
  events?: ConvergeEmitter;
  /** Where to read about a deploy (the status page when it is public): GitHub's log_url. */
  logUrl?: (repository: string, env: string, sha: string) => string | undefined;
}

export type DeployOutcome = { kind: "deployed"; run: DeployRun; deploymentId: number } | { kind: "skipped"; why: string };

export function defaultIdentity(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
}

export async function deployEnvironment(req: DeployRequest, deps: DeployDeps): Promise<DeployOutcome> {
  const { gh, repo, env, sha } = req;
  const repository = fullName(repo);
  const log = deps.log.child({ repository, env: env.name, sha, trigger: req.trigger });
  const target = deps.clusters.target(repository, env.cluster);
  if ("refused" in target) {
    await recordDeployment(req, "failure", `ClusterNotAllowed: ${target.refused}`);
    log.info({ reason: target.refused }, "deploy refused by the cluster registry");
    return { kind: "skipped", why: target.refused };
  }
  const client = target.client;
  await recordSuperseded(gh, repo, env, req.superseded ?? [], sha);

  // lease
  const parent = parentRef(repository, env.name, env.namespace);
  const lease = await acquireLease(client, { namespace: deps.leaseNamespace, name: parent.name, identity: deps.identity, durationSeconds: 30, waitMs: 10 * 60_000 });
  if (!lease) return { kind: "skipped", why: "another Converge replica held the environment's lease for too long" };
  try {
    // order: what the cluster says was deployed last decides (see decide.ts)
    const inventory = await readInventory(client, parent);
    // A holder that never released the lease crashed, maybe mid-deploy: close its Deployment(s).
    if (lease.takenOver) await markInterrupted(gh, repo, env.name, inventory, log);
    if (req.trigger !== "drift") {
      // Only commits on the environment's branch deploy: a push payload is only as
      // trustworthy as its signature, and Git is the source of truth.
      if (!(await onBranch(gh, repo, env.branch, sha))) {
        log.info({ branch: env.branch }, "commit is not on the environment's branch: not deploying");
        return { kind: "skipped", why: `${short(sha)} is not on ${env.branch}` };
      }
      const decision = await decide(gh, repo, env.path, sha, inventory);
      if (!decision.deploy) {
        log.info({ why: decision.why }, "not deploying");
        if (decision.supersededBy) await recordSuperseded(gh, repo, env, [sha], decision.supersededBy);
        if (decision.upToDate && inventory.revision !== sha) await annotateInventory(client, parent, ANN_REVISION, sha);
        return { kind: "skipped", why: decision.why };
      }
    }

    // checkout + deploy
    let checkout: Checkout;
    try {
      checkout = await checkoutFromTarball(await downloadTarball(gh, repo, sha));
    } catch (err) {
      if (!(err instanceof CheckoutError)) throw err;
      // The commit's archive is over the limits: a render failure of this commit, recorded
      // like one (a Deployment, and the failed revision so no timer retries it on its own).
      await recordDeployment(req, "failure", `RenderFailed: ${err.message}`);
      await annotateInventory(client, parent, ANN_FAILED_REVISION, sha);
      log.info({ reason: err.message }, "deploy refused: repository archive over the limits");
      return { kind: "skipped", why: err.message };
    }
    let deployment: { id: number; url: string } | undefined;
    try {
      const run = await runDeploy({
        env,
        root: checkout.root,
        repository,
        revision: sha,
        client,
        authorize: target.authorize,
        verifyTimeoutMs: deps.verifyTimeoutMs,
        pollMs: deps.pollMs,
        signal: lease.lost,
        onPlanned: async (planned) => {
          deployment = await createDeployment(gh, repo, {
            sha,
            environment: env.name,
            description: req.trigger === "drift" ? `Drift correction of ${env.name}` : `Converge ${req.trigger} of ${short(sha)}`,
            payload: { converge: { trigger: req.trigger, summary: planned.plan.summary, ...(req.driftReport ? { drift: req.driftReport.slice(0, 50_000) } : {}) } },
          });
          await setDeploymentStatus(gh, repo, deployment.id, "in_progress", `Applying ${short(sha)} to ${env.name}`);
        },
      }).catch((err: Error): DeployRun => {
        // Whatever broke after the Deployment went in_progress (the cluster refusing every
        // write, GitHub failing past its retries), it is reported, never left in progress.
        log.warn({ err: err.message }, "deploy stopped by an error");
        return { ok: false, reason: "ClusterUnreachable", message: err.message, failing: [], appliedIds: [], notApplied: [], durationMs: 0 };
      });
      if (!deployment) {
        // Nothing was applied (the plan failed): still one Deployment record, marked failed.
        deployment = await recordDeployment(req);
      }
      // report
      await setDeploymentStatus(gh, repo, deployment.id, run.ok ? "success" : "failure", statusDescription(run, env.name, sha), { environment: env.url, log: deps.logUrl?.(repository, env.name, sha) });
      log.info({ ok: run.ok, reason: run.reason, ms: run.durationMs }, run.ok ? "deployed" : "deploy failed");
      deps.events?.emit("deploy", { repo, env: env.name, sha, trigger: req.trigger, result: run.ok ? "success" : "failure", reason: run.reason, ms: run.durationMs, message: run.message, deploymentUrl: deployment.url });
      // The web page of the environment's deployments (the API URL is not for people).
      const pulls = req.trigger === "drift" ? [] : await pullsForCommit(gh, repo, sha);
      const page = pulls[0] ? `${pulls[0].htmlUrl.replace(/\/pull\/\d+$/, "")}/deployments/${encodeURIComponent(env.name)}` : undefined;
      for (const pr of pulls) await gh.rest.issues.createComment({ ...repo, issue_number: pr.number, body: deployComment(run, env.name, sha, page) });
      // failure: a drift correction that fails is reported, never reverted (the revision was good before)
      if (!run.ok && req.trigger !== "drift" && COMMIT_FAULTS.has(run.reason)) await deps.onFailure?.(req, run, page);
      if (run.ok) await deps.onSuccess?.(req, run);
      return { kind: "deployed", run, deploymentId: deployment.id };
    } finally {
      await checkout.dispose();
    }
  } finally {
    await lease.release();
  }
}

/**
 * Called with the lease taken over from a holder that crashed: its Deployments
 * still in progress will never be finished by it. The newest one, when it is
 * for the revision the cluster records as succeeded, did finish (the crash came
 * between the record and the report); every other one is marked interrupted.
 * Best effort: a GitHub failure here must not stop the deploy.
 */
export async function markInterrupted(gh: GitHub, repo: RepoRef, environment: string, inventory: InventoryState, log: Logger): Promise<void> {
  try {
    const finished = inventory.result === "succeeded" ? inventory.revision : undefined;
    for (const d of await unfinishedDeployments(gh, repo, environment)) {
      if (d.newest && d.sha === finished) {
        await setDeploymentStatus(gh, repo, d.id, "success", `Deployed ${short(d.sha)} to ${environment} (reported after a restart of Converge)`);
      } else {
        await setDeploymentStatus(gh, repo, d.id, "error", `Interrupted: Converge stopped before this deploy of ${short(d.sha)} finished (crash or restart)`);
      }
      log.info({ deployment: d.id, sha: d.sha }, "closed a Deployment left in progress by a crash");
    }
  } catch (err) {
    log.warn({ err: (err as Error).message }, "could not close Deployments left in progress by a crash");
  }
}

/**
 * After a restart, for an environment with nothing to deploy: take its lease
 * briefly and, when the previous holder never released it, close the
 * Deployments it left in progress. A live holder keeps it: skip.
 */
export async function recoverEnvironment(gh: GitHub, repo: RepoRef, env: EnvironmentConfig, deps: DeployDeps): Promise<void> {
  const repository = fullName(repo);
  const target = deps.clusters.target(repository, env.cluster);
  if ("refused" in target) return;
  const parent = parentRef(repository, env.name, env.namespace);
  const lease = await acquireLease(target.client, { namespace: deps.leaseNamespace, name: parent.name, identity: deps.identity, durationSeconds: 30, waitMs: 1_000 });
  if (!lease) return;
  try {
    if (!lease.takenOver) return;
    await markInterrupted(gh, repo, env.name, await readInventory(target.client, parent), deps.log.child({ repository, env: env.name }));
  } finally {
    await lease.release();
  }
}

/** Is `sha` the head of `branch` or one of its ancestors? */
async function onBranch(gh: GitHub, repo: RepoRef, branch: string, sha: string): Promise<boolean> {
  const head = await branchHeadSha(gh, repo, branch);
  if (head === sha) return true;
  try {
    const cmp = await gh.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `${sha}...${head}`, per_page: 1 });
    return cmp.data.status === "ahead";
  } catch (err) {
    if ((err as { status?: number }).status === 404) return false;
    throw err;
  }
}

/**
 * A Deployment record for a deploy that applies nothing (refused, archive over
 * the limits, plan failed): every attempt leaves exactly one, with its outcome
 * when it is already known.
 */
async function recordDeployment(req: DeployRequest, state?: DeploymentState, status?: string, extra: Record<string, unknown> = {}): Promise<{ id: number; url: string }> {
  const d = await createDeployment(req.gh, req.repo, { sha: req.sha, environment: req.env.name, description: `Converge ${req.trigger} of ${short(req.sha)}`, payload: { converge: { trigger: req.trigger, ...extra } } });
  if (state) await setDeploymentStatus(req.gh, req.repo, d.id, state, status ?? state);
  return d;
}

async function recordSuperseded(gh: GitHub, repo: RepoRef, env: EnvironmentConfig, shas: string[], by: string): Promise<void> {
  for (const sha of shas) {
    await recordDeployment({ gh, repo, env, sha, trigger: "push" }, "inactive", `Superseded by ${short(by)}: never applied`, { supersededBy: by });
  }
}
