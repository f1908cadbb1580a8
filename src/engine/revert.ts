// openRevert: rollback through Git. After a failed deploy, per the
// environment's onFailure policy:
//   find       an open revert PR for this commit already? → done (one failure, one PR)
//   compute    the failed commit's change against its first parent, inverted onto the branch head now
//   conflict   → a comment on the failed PR (or an issue) explaining what to do; no guess
//   commit     blobs/trees/commit on a new branch converge/revert-<sha> (Git Data API, never a force-push)
//   open       PR "Revert …" with the reason, labelled converge:revert, reviewers = author + merger
//   merge      onFailure: revert-merge → preview + gate, then merge (deploys the previous version)
import type { Logger } from "pino";
import type { EnvironmentConfig } from "../config/types.js";
import { branchHeadSha, commitChanges, createBranch, getCommit, readBlob, treeFiles, type TreeChange, type TreeFile } from "../github/git.js";
import { pullsForCommit } from "../github/deployments.js";
import type { GitHub, RepoRef } from "../github/types.js";
import { inverseChanges } from "../revert/inverse.js";
import { conflictBody, parseRevertMarker, revertBody, revertBranch, revertTitle } from "../report/revert.js";
import { REVERT_LABEL } from "./approval.js";
import type { DeployRun } from "./run-deploy.js";

export type RevertOutcome =
  | { kind: "none"; why: string }
  | { kind: "exists"; number: number }
  | { kind: "opened"; number: number; merged: boolean }
  | { kind: "conflict"; paths: string[] };

export interface RevertRequest {
  gh: GitHub;
  repo: RepoRef;
  env: EnvironmentConfig;
  failedSha: string;
  run: DeployRun;
  deploymentUrl?: string;
  log: Logger;
  /** For revert-merge: run the preview and gate on the new PR before merging. */
  previewAndGate?: (pull: number) => Promise<void>;
}

export async function openRevert(req: RevertRequest): Promise<RevertOutcome> {
  const { gh, repo, env, failedSha } = req;
  if (env.onFailure === "none") return { kind: "none", why: "onFailure: none" };
  const branch = revertBranch(failedSha);

  // find
  const existing = await findRevertPull(gh, repo, failedSha);
  if (existing) return { kind: "exists", number: existing };

  // compute
  const failed = await getCommit(gh, repo, failedSha);
  const parentSha = failed.parents[0];
  if (!parentSha) return { kind: "none", why: "the failed commit has no parent to revert to" };
  const original = (await pullsForCommit(gh, repo, failedSha))[0];
  const originalTitle = original?.title ?? failed.message.split("\n")[0]!;
  const before = await getCommit(gh, repo, parentSha);
  const head = await getCommit(gh, repo, await branchHeadSha(gh, repo, env.branch));
  const [beforeFiles, failedFiles, headFiles] = await Promise.all([treeFiles(gh, repo, before.tree), treeFiles(gh, repo, failed.tree), treeFiles(gh, repo, head.tree)]);
  const paths = new Set<string>();
  for (const [p, f] of failedFiles) if (beforeFiles.get(p)?.sha !== f.sha || beforeFiles.get(p)?.mode !== f.mode) paths.add(p);
  for (const p of beforeFiles.keys()) if (!failedFiles.has(p)) paths.add(p);
  const inverse = await invertOnto(gh, repo, [...paths], beforeFiles, failedFiles, headFiles);
  const context = { env: env.name, failedSha, originalTitle, originalPr: original ? { number: original.number, url: original.htmlUrl } : undefined, run: req.run, deploymentUrl: req.deploymentUrl };

  // conflict
  if (inverse.conflicts.length) {
    const body = conflictBody(context, inverse.conflicts);
    if (original) await gh.rest.issues.createComment({ ...repo, issue_number: original.number, body });
    else await gh.rest.issues.create({ ...repo, title: `Cannot revert ${failedSha.slice(0, 7)} automatically`, body, labels: [REVERT_LABEL] });
    req.log.info({ conflicts: inverse.conflicts.map((c) => c.path) }, "revert conflicts: explained, not guessed");
    return { kind: "conflict", paths: inverse.conflicts.map((c) => c.path) };
  }
  if (!inverse.changes.size) return { kind: "none", why: "the failed change is already undone on the branch" };

  // commit (a crash after the branch was created leaves it without a PR: reuse it)
  const message = `${revertTitle(originalTitle)}\n\nThis reverts commit ${failedSha}.\n\nConverge: the deploy of ${failedSha.slice(0, 7)} to ${env.name} failed (${req.run.reason}).`;
  const commit = await commitChanges(gh, repo, head, inverse.changes, message);
  if (!(await createBranch(gh, repo, branch, commit))) req.log.info({ branch }, "revert branch exists already: opening its pull request");

  // open
  const autoMerge = env.onFailure === "revert-merge";
  const { data: pr } = await gh.rest.pulls.create({ ...repo, title: revertTitle(originalTitle), head: branch, base: env.branch, body: revertBody({ ...context, autoMerge }) });
  await gh.rest.issues.addLabels({ ...repo, issue_number: pr.number, labels: [REVERT_LABEL] });
  const reviewers = [...new Set([original?.user, original?.mergedBy].filter((u): u is string => !!u && !u.endsWith("[bot]")))];
  if (reviewers.length) {
    await gh.rest.pulls.requestReviewers({ ...repo, pull_number: pr.number, reviewers }).catch((err: unknown) => req.log.info({ err: (err as Error).message }, "could not request reviewers for the revert"));
  }

  // merge
  if (!autoMerge) return { kind: "opened", number: pr.number, merged: false };
  await req.previewAndGate?.(pr.number);
  try {
    await gh.rest.pulls.merge({ ...repo, pull_number: pr.number, merge_method: "merge", commit_title: `${revertTitle(originalTitle)} (#${pr.number})` });
    return { kind: "opened", number: pr.number, merged: true };
  } catch (err) {
    // Branch protection may still require something (e.g. another check): the PR stays open for a human.
    req.log.info({ err: (err as Error).message, pr: pr.number }, "revert PR could not be merged automatically");
    await gh.rest.issues.createComment({ ...repo, issue_number: pr.number, body: `Converge could not merge this revert automatically (${(err as Error).message.slice(0, 300)}). Merge it to roll back.` });
    return { kind: "opened", number: pr.number, merged: false };
  }
}

/**
 * The inverse of the failed commit's changes, onto the head. A file the head
 * still has exactly as the failed commit left it is restored to its previous
 * blob (binary-safe, mode kept). Only files changed again since are merged
 * three-way, as text; a binary file changed again is a conflict.
 */
async function invertOnto(
  gh: GitHub,
  repo: RepoRef,
  paths: string[],
  before: Map<string, TreeFile>,
  failed: Map<string, TreeFile>,
  head: Map<string, TreeFile>,
): Promise<{ changes: Map<string, TreeChange>; conflicts: Array<{ path: string; why: string }> }> {
  const changes = new Map<string, TreeChange>();
  const conflicts: Array<{ path: string; why: string }> = [];
  const merge: string[] = [];
  const same = (a?: TreeFile, b?: TreeFile) => a?.sha === b?.sha && a?.mode === b?.mode;
  for (const path of paths) {
    const [b, f, h] = [before.get(path), failed.get(path), head.get(path)];
    if (same(h, b)) continue; // already undone
    if (same(h, f)) changes.set(path, b ? { blob: b } : { delete: true });
    else merge.push(path);
  }
  const text = async (t?: TreeFile): Promise<string | undefined | null> => {
    if (!t) return undefined;
    const buf = await readBlob(gh, repo, t.sha);
    return buf.includes(0) ? null : buf.toString("utf8"); // null: binary
  };
  for (const path of merge) {
    const [b, f, h] = await Promise.all([text(before.get(path)), text(failed.get(path)), text(head.get(path))]);
    if (b === null || f === null || h === null) {
      conflicts.push({ path, why: "a binary file changed again after the failed commit" });
      continue;
    }
    const result = inverseChanges([{ path, before: b, failed: f, current: h }]);
    conflicts.push(...result.conflicts);
    const content = result.changes.get(path);
    if (content === null) changes.set(path, { delete: true });
    else if (content !== undefined) changes.set(path, { text: content, mode: head.get(path)?.mode ?? "100644" });
  }
  return { changes, conflicts };
}

/** The open revert PR for a failed commit, found by its hidden marker. */
export async function findRevertPull(gh: GitHub, repo: RepoRef, failedSha: string): Promise<number | undefined> {
  const pulls = await gh.paginate(gh.rest.pulls.list, { ...repo, state: "open", per_page: 100 });
  return pulls.find((p) => p.head.ref === revertBranch(failedSha) && parseRevertMarker(p.body) === failedSha)?.number;
}

/**
 * After a successful deploy: open revert PRs whose failed commit is already
 * superseded by what was just deployed (a fix landed first) are obsolete.
 */
export async function closeObsoleteReverts(gh: GitHub, repo: RepoRef, env: EnvironmentConfig, deployedSha: string, log: Logger): Promise<number[]> {
  const pulls = await gh.paginate(gh.rest.pulls.list, { ...repo, state: "open", base: env.branch, per_page: 100 });
  const closed: number[] = [];
  for (const p of pulls) {
    const failed = parseRevertMarker(p.body);
    if (!failed || !p.head.ref.startsWith("converge/revert-")) continue;
    const cmp = await gh.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `${failed}...${deployedSha}`, per_page: 1 });
    if (cmp.data.status !== "ahead" && cmp.data.status !== "identical") continue;
    await gh.rest.issues.createComment({ ...repo, issue_number: p.number, body: `Obsolete: \`${deployedSha.slice(0, 7)}\`, which contains \`${failed.slice(0, 7)}\`, deployed to **${env.name}** and is healthy. Closing this revert.` });
    await gh.rest.pulls.update({ ...repo, pull_number: p.number, state: "closed" });
    closed.push(p.number);
  }
  if (closed.length) log.info({ closed }, "closed obsolete revert pull requests");
  return closed;
}
