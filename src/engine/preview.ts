// previewPullRequest: the sticky comment and the two check runs for one PR
// head. A pipeline, each step named:
//   config     .github/converge.yml from the DEFAULT branch (never the head)
//   select     environments whose branch is the PR's base
//   fetch      changed files (1 call) and the head tarball (1 call)
//   affected   environments whose inputs the PR touches; none → neutral checks, no comment
//   pending    "⏳ previewing <sha>" in the comment, preview check in progress
//   plan       one plan per environment against its live cluster
//   report     comment(s), preview check with the full report
//   gate       the approval check from the same plans
import type { Logger } from "pino";
import type { EnvironmentConfig } from "../config/types.js";
import type { Plan } from "../diff/plan.js";
import { loadManifests, touchesInputs, idOf, describeId } from "../manifests/index.js";
import { imagesOf, type ImageRef } from "../policy/index.js";
import { renderMarkdown, renderPending } from "../report/markdown.js";
import { previewCheckOutput } from "../report/checks.js";
import { recordFromPlan, serializeGateRecord, type GateRecord } from "../report/gate-record.js";
import type { ClusterPool } from "../agent/clusters.js";
import { readRepoConfig } from "../github/config.js";
import { changedFiles, downloadTarball } from "../github/pulls.js";
import { CheckoutError, checkoutFromTarball, type Checkout } from "../github/checkout.js";
import { ensureComments } from "../github/comments.js";
import { createCheck, PREVIEW_CHECK } from "../github/checks.js";
import { fullName, type GitHub, type RepoRef } from "../github/types.js";
import { planEnvironment } from "./plan.js";
import { evaluateApproval, postNeutralChecks, type PullState } from "./approval.js";
import { errorPlan } from "./error-plan.js";

export const CONFIG_FILE = ".github/converge.yml";

export interface PreviewDeps {
  clusters: ClusterPool;
  log: Logger;
  /** Login of the app's bot user (e.g. "converge[bot]"), to recognise its own revert PRs. */
  botLogin?: string;
  /** The app's id, to trust only check runs it posted itself. */
  appId?: number;
  /** Remember the last gate record per PR so review events skip the diff. */
  records: Map<string, GateRecord>;
}

export async function previewPullRequest(gh: GitHub, repo: RepoRef, pull: PullState, deps: PreviewDeps): Promise<void> {
  const log = deps.log.child({ repository: fullName(repo), pr: pull.number, sha: pull.headSha });

  // config
  const cfg = await readRepoConfig(gh, repo, pull.defaultBranch);
  if (cfg.kind === "missing") return; // the repository does not use Converge
  if (cfg.kind === "invalid") {
    log.info({ issues: cfg.error.issues.length }, "configuration invalid");
    // file and line are fields of the error (the report shows them, the annotation points there): not repeated in the message.
    const plans = [errorPlan("configuration", "ConfigInvalid", cfg.error.issues.map((i) => ({ message: `${i.field ? `${i.field}: ` : ""}${i.message}`, file: i.file, line: i.line })))];
    return report(gh, repo, pull, plans, [], deps, false);
  }

  // select
  const candidates = cfg.config.environments.filter((e) => e.branch === pull.baseRef);
  if (!candidates.length) return neutral(gh, repo, pull, deps, `no environment deploys from ${pull.baseRef}`);

  // fetch
  const files = await changedFiles(gh, repo, pull.number);
  // The policy file governs every environment on this branch: a PR that edits
  // it must pass their gates (with the default branch's policy), not go neutral.
  const configChanged = files.includes(CONFIG_FILE);
  if (pull.fork) {
    const touched = candidates.filter((e) => configChanged || touchesInputs([], files, e.path));
    if (!touched.length) return neutral(gh, repo, pull, deps, "no environment affected");
    const plans = touched.map((e) => errorPlan(e.name, "ClusterNotAllowed", [{ message: "pull requests from forks are not previewed against the cluster: push the branch to this repository to get a preview" }]));
    return report(gh, repo, pull, plans, touched, deps, configChanged);
  }
  let checkout: Checkout;
  try {
    checkout = await checkoutFromTarball(await downloadTarball(gh, repo, pull.headSha));
  } catch (err) {
    if (!(err instanceof CheckoutError)) throw err;
    // Without a checkout nobody can tell which environments the PR affects
    // (kustomize inputs): every candidate fails, with the reason, rather than
    // the PR waiting forever for checks that never come.
    log.warn({ err: err.message }, "head archive refused");
    const plans = candidates.map((e) => errorPlan(e.name, "RenderFailed", [{ message: `${err.message}; nothing was rendered for ${pull.headSha.slice(0, 7)}` }]));
    return report(gh, repo, pull, plans, candidates, deps, configChanged);
  }
  try {
    // affected
    const affected = configChanged ? candidates : await affectedEnvironments(candidates, checkout, files);
    if (!affected.length) return neutral(gh, repo, pull, deps, "no environment affected");

    // pending
    await ensureComments(gh, repo, pull.number, [renderPending(pull.headSha, affected.map((e) => e.name))], pull.fresh);

    // plan
    const results = [];
    for (const env of affected) results.push(await planOne(env, checkout, repo, pull.headSha, deps, log));
    const plans = results.map((r) => r.plan);
    log.info({ environments: plans.map((p) => ({ env: p.environment, ...p.summary, errors: p.errors.length })) }, "preview computed");

    // report + gate
    const record: GateRecord = { headSha: pull.headSha, environments: results.map((r) => recordFromPlan(r.plan, pull.headSha, r.images, r.liveCount)) };
    await report(gh, repo, pull, plans, affected, deps, configChanged, record);
  } finally {
    await checkout.dispose();
  }
}

interface PlanOutcome {
  plan: Plan;
  images: ImageRef[];
  liveCount: number;
}

async function planOne(env: EnvironmentConfig, checkout: Checkout, repo: RepoRef, sha: string, deps: PreviewDeps, log: Logger): Promise<PlanOutcome> {
  const target = deps.clusters.target(fullName(repo), env.cluster);
  if ("refused" in target) return { plan: errorPlan(env.name, "ClusterNotAllowed", [{ message: target.refused }]), images: [], liveCount: 0 };
  const refused = checkout.refused.filter((r) => touchesInputs([], [r.path], env.path));
  try {
    const planned = await planEnvironment({ env, root: checkout.root, repository: fullName(repo), revision: sha, client: target.client, authorize: target.authorize });
    for (const r of refused) planned.plan.errors.push({ reason: "ManifestInvalid", file: r.path, message: r.reason });
    const changed = new Set(planned.plan.changes.filter((c) => c.action === "create" || c.action === "update").map((c) => describeId(c.id)));
    const images: ImageRef[] = [];
    for (const o of planned.objects) {
      const name = describeId(idOf(o.desired.object));
      if (!changed.has(name)) continue;
      for (const i of imagesOf(o.desired.object)) images.push({ object: name, container: i.container, image: i.image, file: o.desired.source.file, line: o.desired.source.line });
    }
    return { plan: planned.plan, images, liveCount: planned.members.length };
  } catch (err) {
    log.warn({ env: env.name, cluster: env.cluster, err: (err as Error).message }, "cluster unreachable during preview");
    return { plan: errorPlan(env.name, "ClusterUnreachable", [{ message: `cluster "${env.cluster}": ${(err as Error).message}` }]), images: [], liveCount: 0 };
  }
}

/** Environments whose manifests (or kustomize inputs) the PR changes. */
async function affectedEnvironments(candidates: EnvironmentConfig[], checkout: Checkout, files: string[]): Promise<EnvironmentConfig[]> {
  const out: EnvironmentConfig[] = [];
  for (const env of candidates) {
    if (touchesInputs([], files, env.path)) {
      out.push(env);
      continue;
    }
    const loaded = await loadManifests({ root: checkout.root, path: env.path, defaultNamespace: env.namespace });
    if (touchesInputs(loaded.inputs, files, env.path)) out.push(env);
  }
  return out;
}

/** Neutral checks, remembered as a record without environments so that reviews and labels on this head skip the preview (regate.ts). */
async function neutral(gh: GitHub, repo: RepoRef, pull: PullState, deps: PreviewDeps, why: string): Promise<void> {
  await postNeutralChecks(gh, repo, pull.headSha, why);
  deps.records.set(recordKey(repo, pull.number), { headSha: pull.headSha, environments: [] });
}

/**
 * The preview check (created once, completed: the comment already shows "⏳"
 * while the plan runs), the comment(s) pointing at it, then the gate.
 */
async function report(
  gh: GitHub,
  repo: RepoRef,
  pull: PullState,
  plans: Plan[],
  envs: EnvironmentConfig[], // the environments the plans are for; [] when the config itself is invalid
  deps: PreviewDeps,
  configChanged: boolean,
  computed?: GateRecord,
): Promise<void> {
  const record = computed ?? { headSha: pull.headSha, environments: plans.map((p) => recordFromPlan(p, pull.headSha, [], 0)) };
  const marker = serializeGateRecord(record);
  const { conclusion, output } = previewCheckOutput(plans, { headSha: pull.headSha, maxChars: 65535 - marker.length - 2 });
  output.summary = `${output.summary}\n\n${marker}`;
  const check = await createCheck(gh, repo, PREVIEW_CHECK, pull.headSha, { status: "completed", conclusion, output });
  await ensureComments(gh, repo, pull.number, renderMarkdown(plans, { headSha: pull.headSha, checkRunUrl: check.url, configChanged }), pull.fresh);
  deps.records.set(recordKey(repo, pull.number), record);
  await evaluateApproval(gh, repo, pull, record, envs, deps);
}

export function recordKey(repo: RepoRef, pull: number): string {
  return `${repo.owner}/${repo.repo}#${pull}`.toLowerCase();
}
