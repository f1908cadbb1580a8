// One issue per topic (e.g. drift in an environment), found again by a hidden
// marker and edited in place: never a duplicate.
import type { GitHub, RepoRef } from "./types.js";

export interface TopicIssue {
  number: number;
  body: string;
}

export async function findTopicIssue(gh: GitHub, repo: RepoRef, label: string, marker: string): Promise<TopicIssue | undefined> {
  const issues = await gh.paginate(gh.rest.issues.listForRepo, { ...repo, state: "open", labels: label, per_page: 100 });
  const found = issues.find((i) => !i.pull_request && (i.body ?? "").includes(marker));
  return found ? { number: found.number, body: found.body ?? "" } : undefined;
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
