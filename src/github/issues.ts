// One issue per topic (e.g. drift in an environment), found again by a hidden
// marker and edited in place: never a duplicate.
import type { GitHub, RepoRef } from "./types.js";
import { conditionalGet } from "./conditional.js";

export interface TopicIssue {
  number: number;
  body: string;
}

interface IssueItem {
  number: number;
  body?: string | null;
  pull_request?: unknown;
}

/**
 * The open issue carrying `marker`, if any. Conditional reads: drift checks
 * look every few minutes, and an unchanged list answers 304, which GitHub
 * does not count against the rate limit.
 */
export async function findTopicIssue(gh: GitHub, repo: RepoRef, label: string, marker: string): Promise<TopicIssue | undefined> {
  for (let page = 1; ; page++) {
    const issues = (await conditionalGet<IssueItem[]>(gh, "GET /repos/{owner}/{repo}/issues", { ...repo, state: "open", labels: label, per_page: 100, page })) ?? [];
    const found = issues.find((i) => !i.pull_request && (i.body ?? "").includes(marker));
    if (found) return { number: found.number, body: found.body ?? "" };
    if (issues.length < 100) return undefined;
  }
}

export async function openTopicIssue(gh: GitHub, repo: RepoRef, title: string, body: string, label: string): Promise<number> {
  const { data } = await gh.rest.issues.create({ ...repo, title, body, labels: [label] });
  return data.number;
}

export async function updateTopicIssue(gh: GitHub, repo: RepoRef, number: number, body: string): Promise<void> {
  await gh.rest.issues.update({ ...repo, issue_number: number, body });
}

export async function closeTopicIssue(gh: GitHub, repo: RepoRef, number: number, comment: string): Promise<void> {
  await gh.rest.issues.createComment({ ...repo, issue_number: number, body: comment });
  await gh.rest.issues.update({ ...repo, issue_number: number, state: "closed", state_reason: "completed" });
}
