// Words for a deploy's outcome: the PR comment and the deployment status
// description (GitHub caps that at 140 characters).
import type { DeployRun } from "../engine/run-deploy.js";
import { describeFailingObjects } from "../engine/verify.js";
import { describeId } from "../manifests/object.js";
import { escapeInline, fenceFor } from "./escape.js";

export function short(sha: string): string {
  return sha.slice(0, 7);
}

export function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

export function statusDescription(run: DeployRun, env: string, sha: string): string {
  return run.ok ? `Deployed ${short(sha)} to ${env} in ${seconds(run.durationMs)}` : `${run.reason}: ${run.message}`;
}

/** The comment on the merged PR: one line first, details folded. */
export function deployComment(run: DeployRun, env: string, sha: string, deploymentUrl?: string): string {
  if (run.ok) {
    const s = run.plan?.summary;
    const what = s ? ` (${s.create} created, ${s.update} updated, ${s.delete} deleted)` : "";
    return `✅ Deployed \`${short(sha)}\` to **${escapeInline(env)}** in ${seconds(run.durationMs)}${what}.`;
  }
  const lines = [`❌ Deploy of \`${short(sha)}\` to **${escapeInline(env)}** failed: ${escapeInline(run.reason)}: ${escapeInline(firstLine(run.message))}`];
  if (run.failing.length) {
    const detail = describeFailingObjects(run.failing);
    const fence = fenceFor(detail);
    lines.push("", "<details><summary>Failing objects, pod states and recent events</summary>", "", `${fence}text`, detail, fence, "", "</details>");
  }
  if (run.appliedIds.length && run.notApplied.length) {
    const list = (ids: typeof run.appliedIds) => ids.slice(0, 50).map((id) => `- \`${escapeInline(describeId(id))}\``).join("\n") + (ids.length > 50 ? `\n- … ${ids.length - 50} more` : "");
    lines.push("", `**Half-applied**: ${run.appliedIds.length} objects were applied, ${run.notApplied.length} were not.`, "", "<details><summary>Applied</summary>", "", list(run.appliedIds), "", "</details>", "", "<details><summary>Not applied</summary>", "", list(run.notApplied), "", "</details>");
  }
  if (deploymentUrl) lines.push("", `Deployment: ${deploymentUrl}`);
  return lines.join("\n");
}

function firstLine(text: string): string {
  const line = text.split("\n")[0] ?? "";
  return line.length > 500 ? `${line.slice(0, 499)}…` : line;
}
