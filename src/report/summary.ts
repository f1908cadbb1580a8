// The part of a report people read in ten seconds: one line per environment,
// then what went wrong. Shared by the PR comment and the check run summary.
import { describeId } from "../manifests/object.js";
import { describeSummary } from "../diff/summary.js";
import type { Plan, PlanError, PlanSummary } from "../diff/plan.js";
import { escapeInline, inlineCode, truncate } from "./escape.js";

// Raw lengths shown for a name or a message, before escaping: bounds every
// line so budgets below can always fit at least a "… N more" line.
export const MAX_NAME = 100;
const MAX_MESSAGE = 1000;

export function envName(plan: Plan): string {
  return escapeInline(truncate(plan.environment, MAX_NAME));
}

/** "2 to create, 1 to update, 1 to delete"; "no changes". */
export const summaryPhrase: (summary: PlanSummary) => string = describeSummary;

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function dangerousCount(plan: Plan): number {
  return plan.changes.filter((c) => c.action !== "unchanged" && c.dangers.length > 0).length;
}

/** "- ❌ **production**: 1 to update (3 unchanged) — 2 errors" */
export function envSummaryLine(plan: Plan): string {
  const dangerous = dangerousCount(plan);
  const icons = `${plan.errors.length ? "❌ " : ""}${dangerous ? "⚠️ " : ""}`;
  let line = `- ${icons}**${envName(plan)}**: ${summaryPhrase(plan.summary)}`;
  if (plan.summary.unchanged) line += ` (${plan.summary.unchanged} unchanged)`;
  const issues: string[] = [];
  if (plan.errors.length) issues.push(plural(plan.errors.length, "error"));
  if (dangerous) issues.push(plural(dangerous, "dangerous change"));
  return issues.length ? `${line} — ${issues.join(", ")}` : line;
}

export function noteLines(plans: Plan[]): string[] {
  return plans
    .filter((p) => p.clientSideFallback)
    .map((p) => `> ℹ️ **${envName(p)}**: dry-run was not permitted: compared client-side, server defaults and admission not included`);
}

function errorLine(error: PlanError, env: string | undefined): string {
  const parts = [inlineCode(error.reason)];
  if (env) parts.unshift(`**${env}**`);
  if (error.file) parts.push(escapeInline(truncate(`${error.file}${error.line ? `:${error.line}` : ""}`, MAX_NAME * 3)));
  if (error.id) parts.push(`<code>${escapeInline(truncate(describeId(error.id), MAX_NAME * 3))}</code>`);
  return `- ${parts.join(" · ")} — ${escapeInline(truncate(error.message, MAX_MESSAGE))}`;
}

/** One list item per error; the environment is named only when there are several. */
export function errorLines(plans: Plan[]): string[] {
  const named = plans.length > 1;
  return plans.flatMap((p) => p.errors.map((e) => errorLine(e, named ? envName(p) : undefined)));
}

/**
 * As many lines as fit in `budget` characters joined by "\n"; when some are
 * left out, the last line says how many. undefined when not even that fits.
 */
export function fitLines(lines: string[], budget: number, more: (n: number) => string): string[] | undefined {
  if (joinedLength(lines) <= budget) return lines;
  const reserve = more(lines.length).length + 1;
  if (reserve - 1 > budget) return undefined;
  let used = 0;
  let shown = 0;
  while (shown < lines.length && used + lines[shown].length + 1 + reserve <= budget + 1) used += lines[shown++].length + 1;
  return [...lines.slice(0, shown), more(lines.length - shown)];
}

export function joinedLength(lines: string[]): number {
  return lines.reduce((sum, line) => sum + line.length, 0) + Math.max(0, lines.length - 1);
}
