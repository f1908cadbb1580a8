// merge_group checks_requested: a merge queue asks for the required checks on
// its temporary commit. The gate was evaluated on the PR (approvals are given
// on the PR head), so report the PR's approval outcome on the queue commit.
import type { Context } from "probot";
import { createCheck, findCheck, APPROVAL_CHECK, PREVIEW_CHECK } from "../github/checks.js";
import { readRepoConfig } from "../github/config.js";
import type { GitHub } from "../github/types.js";
import type { Runtime } from "../runtime.js";
import { firstDelivery, later } from "./pull.js";

/** "refs/heads/gh-readonly-queue/main/pr-123-<sha>" → 123. */
export function pullFromQueueRef(ref: string): number | undefined {
  const m = /gh-readonly-queue\/.+\/pr-(\d+)-[0-9a-f]+$/.exec(ref);
  return m ? Number(m[1]) : undefined;
}

export function onMergeGroup(rt: Runtime) {
  return async (context: Context<"merge_group.checks_requested">): Promise<void> => {
    if (!firstDelivery(rt, context)) return;
    later(rt, context, "merge group", () => reportMergeGroup(rt, context));
  };
}

async function reportMergeGroup(rt: Runtime, context: Context<"merge_group.checks_requested">): Promise<void> {
  const group = context.payload.merge_group;
  const gh = context.octokit as unknown as GitHub;
  const repo = context.repo();
  const number = pullFromQueueRef(group.head_ref);
  let conclusion: "success" | "failure" = "failure";
  let title = `cannot tell which pull request ${group.head_ref} belongs to`;
  if (number !== undefined) {
    const { data: pr } = await gh.rest.pulls.get({ ...repo, pull_number: number });
    const approval = await findCheck(gh, repo, APPROVAL_CHECK, pr.head.sha, (await rt.resolveBotLogin(), rt.appId));
    // No gate on the PR: in a repository that does not use Converge, stay silent
    // (a red "Converge approval" on every queue commit would be noise, not a reason).
    if (!approval && (await readRepoConfig(gh, repo, context.payload.repository?.default_branch ?? "main")).kind === "missing") return;
    const ok = approval?.conclusion === "success" || approval?.conclusion === "neutral";
    conclusion = ok ? "success" : "failure";
    title = ok ? `pull request #${number} is approved at ${pr.head.sha.slice(0, 7)}` : `pull request #${number} is not approved at ${pr.head.sha.slice(0, 7)}`;
  }
  for (const name of [APPROVAL_CHECK, PREVIEW_CHECK]) {
    await createCheck(gh, repo, name, group.head_sha, { status: "completed", conclusion, output: { title, summary: `Merge queue commit ${group.head_sha.slice(0, 7)}: ${title}.`, annotations: [] } });
  }
}
