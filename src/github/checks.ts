// Check runs: created once per head SHA and name, then updated in place.
import type { CheckOutput } from "../report/checks.js";
import type { GitHub, RepoRef } from "./types.js";

export const PREVIEW_CHECK = "Converge preview";
export const APPROVAL_CHECK = "Converge approval";

export type Conclusion = "success" | "failure" | "neutral" | "skipped" | "action_required";

export interface CheckUpdate {
  status: "queued" | "in_progress" | "completed";
  conclusion?: Conclusion;
  output?: CheckOutput;
  detailsUrl?: string;
}

export async function createCheck(gh: GitHub, repo: RepoRef, name: string, headSha: string, update: CheckUpdate): Promise<{ id: number; url: string }> {
  const res = await gh.rest.checks.create({ ...repo, name, head_sha: headSha, ...toApi(update) });
  return { id: res.data.id, url: res.data.html_url ?? "" };
}

export async function updateCheck(gh: GitHub, repo: RepoRef, id: number, update: CheckUpdate): Promise<void> {
  await gh.rest.checks.update({ ...repo, check_run_id: id, ...toApi(update) });
}

/**
 * The newest check run of this name on a commit posted by OUR app. Another
 * app or a workflow with checks: write can post a run with the same name;
 * trusting it would let it forge the gate record.
 */
export async function findCheck(gh: GitHub, repo: RepoRef, name: string, ref: string, appId: number | undefined): Promise<{ id: number; conclusion: string | null; summary: string; text: string } | undefined> {
  if (appId === undefined) return undefined; // unknown identity: trust nothing, recompute instead
  const res = await gh.rest.checks.listForRef({ ...repo, ref, check_name: name, filter: "latest", app_id: appId, per_page: 10 });
  const run = res.data.check_runs.find((r) => r.app?.id === appId);
  return run ? { id: run.id, conclusion: run.conclusion, summary: run.output?.summary ?? "", text: run.output?.text ?? "" } : undefined;
}

function toApi(u: CheckUpdate) {
  const out: Record<string, unknown> = { status: u.status };
  if (u.conclusion) out.conclusion = u.conclusion;
  if (u.status === "completed") out.completed_at = new Date().toISOString();
  if (u.detailsUrl) out.details_url = u.detailsUrl;
  if (u.output) {
    out.output = {
      title: u.output.title,
      summary: u.output.summary,
      ...(u.output.text ? { text: u.output.text } : {}),
      ...(u.output.annotations.length ? { annotations: u.output.annotations.slice(0, 50) } : {}),
    };
  }
  return out as { status: "completed" };
}
