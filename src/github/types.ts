import type { ProbotOctokit } from "probot";

/** An authenticated GitHub client (Probot's Octokit: retries and throttling built in). */
export type GitHub = InstanceType<typeof ProbotOctokit>;

export interface RepoRef {
  owner: string;
  repo: string;
}

export function fullName(r: RepoRef): string {
  return `${r.owner}/${r.repo}`;
}
