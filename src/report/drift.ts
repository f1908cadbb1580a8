// The drift issue's words and its hidden marker (environment + first seen).
import type { Plan } from "../diff/plan.js";
import { renderMarkdown } from "./markdown.js";
import { escapeInline } from "./escape.js";

export const DRIFT_LABEL = "converge:drift";

export function driftMarker(env: string): string {
  return `<!-- converge:drift:${env} -->`;
}

export function parseFirstSeen(body: string): string | undefined {
  return /<!-- converge:drift-first-seen:([^ ]+) -->/.exec(body)?.[1];
}

export function driftTitle(env: string): string {
  return `Drift detected in ${env}`;
}

export function driftIssueBody(env: string, revision: string, plan: Plan, firstSeen: string, lastSeen: string): string {
  // The plan renderer already masks Secret values and keeps the body within GitHub's limit.
  // Only the per-environment part of the preview rendering: no preview marker, heading or "/converge preview" footer.
  const report = renderMarkdown([plan], { headSha: revision, maxChars: 60_000, maxComments: 1 })[0]!
    .replace(/^<!-- converge:preview -->\n?/, "")
    .replace(/^### .*\n+/, "")
    .replace(/\n+<sub>Converge ·[^\n]*<\/sub>\s*$/, "");
  return [
    driftMarker(env),
    `<!-- converge:drift-first-seen:${firstSeen} -->`,
    `The live state of **${escapeInline(env)}** differs from Git at \`${revision.slice(0, 7)}\`, the revision Converge deployed last.`,
    "",
    `- first seen: ${firstSeen}`,
    `- last checked: ${lastSeen}`,
    "",
    "Someone (or something) changed the cluster outside Git. To resolve it, change Git (a PR) or restore the cluster; this issue closes itself when live matches Git again. Set `drift.action: heal` to have Converge re-apply Git automatically.",
    "",
    report,
  ].join("\n");
}
