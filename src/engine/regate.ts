// Re-evaluate the approval check after a review or label change without
// re-computing the diff: the gate record comes from memory, or from the
// preview check run on the head commit (it survives restarts). Only when no
// preview exists for this head does it fall back to a full preview.
import { readRepoConfig } from "../github/config.js";
import { findCheck, PREVIEW_CHECK } from "../github/checks.js";
import type { GitHub, RepoRef } from "../github/types.js";
import { parseGateRecord } from "../report/gate-record.js";
import { evaluateApproval, type PullState } from "./approval.js";
import { previewPullRequest, recordKey, type PreviewDeps } from "./preview.js";

export async function regatePullRequest(gh: GitHub, repo: RepoRef, pull: PullState, deps: PreviewDeps): Promise<void> {
  const cfg = await readRepoConfig(gh, repo, pull.defaultBranch);
  if (cfg.kind === "missing") return; // the repository does not use Converge (the preview would only read the file again)
  if (cfg.kind === "invalid") return previewPullRequest(gh, repo, pull, deps);
  let record = deps.records.get(recordKey(repo, pull.number));
  if (record?.headSha !== pull.headSha) {
    const check = await findCheck(gh, repo, PREVIEW_CHECK, pull.headSha, deps.appId);
    record = check ? parseGateRecord(check.summary) : undefined;
  }
  if (!record || record.headSha !== pull.headSha) return previewPullRequest(gh, repo, pull, deps);
  if (!record.environments.length) return; // the head touches no environment: checks are already neutral
  const names = new Set(record.environments.map((e) => e.name));
  const envs = cfg.config.environments.filter((e) => names.has(e.name) && e.branch === pull.baseRef);
  // The default branch's config changed since the preview (environment renamed or moved): preview again
  // rather than fail the gate as if the configuration were invalid.
  if (!envs.length) return previewPullRequest(gh, repo, pull, deps);
  await evaluateApproval(gh, repo, pull, record, envs, deps);
}
