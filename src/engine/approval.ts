// The `Converge approval` check: the policy evaluated over the latest preview
// (a gate record), the PR's reviews and labels, and team memberships.
// Re-evaluated on every review, label change and preview.
import type { EnvironmentConfig } from "../config/types.js";
import { evaluateGate, renderGateText, teamsNamed, type EnvironmentGateInput } from "../policy/index.js";
import { planFromRecord, type GateRecord } from "../report/gate-record.js";
import { createCheck, APPROVAL_CHECK, PREVIEW_CHECK } from "../github/checks.js";
import { listReviews, resolveTeams, writersAmong } from "../github/pulls.js";
import type { GitHub, RepoRef } from "../github/types.js";

export interface PullState {
  number: number;
  headSha: string;
  baseRef: string;
  defaultBranch: string;
  author: string;
  labels: string[];
  fork: boolean;
  /** The `opened` event: no review can exist yet, so the reviews call is skipped. */
  fresh?: boolean;
}

export const REVERT_LABEL = "converge:revert";

export async function evaluateApproval(gh: GitHub, repo: RepoRef, pull: PullState, record: GateRecord, envs: EnvironmentConfig[], deps: { botLogin?: string }): Promise<void> {
  if (!envs.length) {
    // The configuration itself is invalid (or no environment could be matched): nothing may merge.
    const problems = record.environments.flatMap((e) => e.errors);
    await createCheck(gh, repo, APPROVAL_CHECK, pull.headSha, {
      status: "completed",
      conclusion: "failure",
      output: { title: "configuration invalid: see Converge preview", summary: problems.map((p) => `- ${p}`).join("\n").slice(0, 60_000) || "configuration invalid", annotations: [] },
    });
    return;
  }
  const reviews = pull.fresh ? [] : await listReviews(gh, repo, pull.number);
  const teams = teamsNamed(envs);
  const teamMembers = teams.length ? await resolveTeams(gh, teams) : new Map<string, Set<string>>();
  // `approvals.from: []` means anyone with write access: ask GitHub about the reviewers that matter.
  const openPolicy = envs.some((e) => e.approvals.from.length === 0);
  const reviewers = reviews.filter((r) => r.state === "APPROVED" || r.state === "CHANGES_REQUESTED").map((r) => r.user);
  const writers = openPolicy && reviewers.length ? await writersAmong(gh, repo, reviewers) : openPolicy ? new Set<string>() : undefined;
  const environments: EnvironmentGateInput[] = envs.map((env) => {
    const rec = record.environments.find((e) => e.name === env.name);
    return {
      env,
      plan: rec ? planFromRecord(rec) : undefined,
      previewSha: rec?.previewSha,
      images: rec?.images ?? [],
      liveObjectCount: rec?.liveObjectCount,
    };
  });
  const isConvergeRevert = pull.labels.includes(REVERT_LABEL) && !!deps.botLogin && pull.author.toLowerCase() === deps.botLogin.toLowerCase();
  const result = evaluateGate({ headSha: pull.headSha, author: pull.author, reviews, labels: pull.labels, teamMembers, writers, isConvergeRevert, environments });
  await createCheck(gh, repo, APPROVAL_CHECK, pull.headSha, {
    status: "completed",
    conclusion: result.conclusion,
    output: { title: result.title, summary: renderGateText(result), annotations: [] },
  });
}

/** A PR that touches no environment: both checks neutral (branch protection treats neutral as passing), no comment. */
export async function postNeutralChecks(gh: GitHub, repo: RepoRef, headSha: string, why: string): Promise<void> {
  for (const name of [PREVIEW_CHECK, APPROVAL_CHECK]) {
    await createCheck(gh, repo, name, headSha, { status: "completed", conclusion: "neutral", output: { title: why, summary: `Converge: ${why}.`, annotations: [] } });
  }
}
