// GitHub Deployments: one per deploy (environment = the Converge environment,
// ref = the exact SHA applied), with statuses as the deploy progresses.
import type { GitHub, RepoRef } from "./types.js";

export type DeploymentState = "in_progress" | "success" | "failure" | "error" | "inactive" | "queued" | "pending";

export interface NewDeployment {
  sha: string;
  environment: string;
  description: string;
  payload: Record<string, unknown>;
  production?: boolean;
  transient?: boolean;
}

export async function createDeployment(gh: GitHub, repo: RepoRef, d: NewDeployment): Promise<{ id: number; url: string }> {
  const res = await gh.rest.repos.createDeployment({
    ...repo,
    ref: d.sha,
    environment: d.environment,
    auto_merge: false,
    required_contexts: [], // the approval gate already ran on the PR
    payload: d.payload as unknown as string,
    description: clip(d.description, 140),
    production_environment: d.production,
    transient_environment: d.transient,
  });
  const data = res.data as { id: number; url: string };
  return { id: data.id, url: data.url };
}

export async function setDeploymentStatus(gh: GitHub, repo: RepoRef, id: number, state: DeploymentState, description: string, urls: { log?: string; environment?: string } = {}): Promise<void> {
  await gh.rest.repos.createDeploymentStatus({
    ...repo,
    deployment_id: id,
    state,
    description: clip(description, 140),
    ...(urls.log ? { log_url: urls.log } : {}),
    ...(urls.environment ? { environment_url: urls.environment } : {}),
    auto_inactive: state === "success",
  });
}

/** Pull requests that a commit belongs to (the merged PR of a merge commit). */
export async function pullsForCommit(gh: GitHub, repo: RepoRef, sha: string): Promise<Array<{ number: number; title: string; user: string; mergedBy?: string; htmlUrl: string }>> {
  const res = await gh.rest.repos.listPullRequestsAssociatedWithCommit({ ...repo, commit_sha: sha, per_page: 10 });
  return res.data.map((p) => ({ number: p.number, title: p.title, user: p.user?.login ?? "", htmlUrl: p.html_url, mergedBy: (p as { merged_by?: { login: string } | null }).merged_by?.login }));
}

/** GitHub limits a deployment status description to 140 characters. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

export interface UnfinishedDeployment {
  id: number;
  sha: string;
  state: DeploymentState;
  /** The newest of Converge's Deployments of the environment (finished or not). */
  newest: boolean;
}

/**
 * Converge's own Deployments of an environment (payload `converge`) whose
 * newest status is not final — what a crash in the middle of a deploy leaves
 * behind. Newest first; only the latest `limit` Deployments are looked at
 * (1 list call + 1 status call per Converge Deployment among them).
 */
export async function unfinishedDeployments(gh: GitHub, repo: RepoRef, environment: string, limit = 10): Promise<UnfinishedDeployment[]> {
  const res = await gh.rest.repos.listDeployments({ ...repo, environment, per_page: limit });
  const out: UnfinishedDeployment[] = [];
  let newest = true;
  for (const d of res.data) {
    const payload = d.payload as unknown;
    if (!payload || typeof payload !== "object" || !("converge" in payload)) continue;
    const statuses = await gh.rest.repos.listDeploymentStatuses({ ...repo, deployment_id: d.id, per_page: 1 });
    const state = (statuses.data[0]?.state ?? "pending") as DeploymentState;
    if (state === "in_progress" || state === "queued" || state === "pending") out.push({ id: d.id, sha: d.sha, state, newest });
    newest = false;
  }
  return out;
}
