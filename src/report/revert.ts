// The revert PR's words, and the hidden marker that ties it to the failed
// commit (parse/serialize round-trip: how redeliveries and restarts find it).
import type { DeployRun } from "../engine/run-deploy.js";
import { describeFailingObjects } from "../engine/verify.js";
import { escapeInline, fenceFor } from "./escape.js";

const MARKER = /<!-- converge:revert:([0-9a-f]{40}) -->/;

export function revertMarker(failedSha: string): string {
  return `<!-- converge:revert:${failedSha} -->`;
}

export function parseRevertMarker(body: string | null | undefined): string | undefined {
  return MARKER.exec(body ?? "")?.[1];
}

export function revertBranch(failedSha: string): string {
  return `converge/revert-${failedSha.slice(0, 7)}`;
}

export interface RevertContext {
  env: string;
  failedSha: string;
  originalTitle: string;
  originalPr?: { number: number; url: string };
  run: DeployRun;
  deploymentUrl?: string;
  autoMerge: boolean;
}

export function revertTitle(originalTitle: string): string {
  return `Revert "${originalTitle}"`;
}

export function revertBody(c: RevertContext): string {
  const lines = [
    revertMarker(c.failedSha),
    `Converge deployed \`${c.failedSha.slice(0, 7)}\`${c.originalPr ? ` (#${c.originalPr.number})` : ""} to **${escapeInline(c.env)}** and it failed verification:`,
    "",
    `> **${escapeInline(c.run.reason)}**: ${escapeInline(c.run.message.split("\n")[0]!.slice(0, 1000))}`,
    "",
    `This pull request undoes that commit (a new commit on top of the branch; history is not rewritten). ${c.autoMerge ? "The environment's policy (`onFailure: revert-merge`) merges it at once, which deploys the previous version." : "Merge it to roll back: merging deploys the previous version through the normal path."}`,
  ];
  if (c.deploymentUrl) lines.push("", `Failed deployment: ${c.deploymentUrl}`);
  if (c.run.failing.length) {
    const detail = describeFailingObjects(c.run.failing);
    const fence = fenceFor(detail);
    lines.push("", "<details><summary>Failing objects, pod states and recent events</summary>", "", `${fence}text`, detail, fence, "", "</details>");
  }
  lines.push("", "The Converge preview on this pull request shows what merging it will change in the cluster.");
  return lines.join("\n");
}

export function conflictBody(c: Omit<RevertContext, "autoMerge">, conflicts: Array<{ path: string; why: string }>): string {
  return [
    `⚠️ Converge could not revert \`${c.failedSha.slice(0, 7)}\` automatically after its deploy to **${escapeInline(c.env)}** failed (${escapeInline(c.run.reason)}: ${escapeInline(c.run.message.split("\n")[0]!.slice(0, 500))}).`,
    "",
    "These files changed again since, in the same places, so the inverse change does not apply cleanly:",
    "",
    ...conflicts.map((x) => `- \`${escapeInline(x.path)}\`: ${escapeInline(x.why)}`),
    "",
    `To roll back, run \`git revert ${c.failedSha}\` locally, resolve the conflicts, and open a pull request; or push a fix. Converge does not re-apply \`${c.failedSha.slice(0, 7)}\` on its own in the meantime.`,
  ].join("\n");
}
