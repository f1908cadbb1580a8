// Terminal rendering of a plan, like `kubectl diff`: errors first (they make
// the plan incomplete), then one block per changed object, summary line last.
import { describeId } from "../manifests/object.js";
import type { Plan, PlanChange, PlanError } from "../diff/plan.js";
import { describeSummary } from "../diff/summary.js";

export interface TextOptions {
  color?: boolean; // ANSI colours, for a TTY
}

const SIGN: Record<PlanChange["action"], string> = { create: "+", update: "~", delete: "-", unchanged: "=" };
const ACTION_COLOR: Record<PlanChange["action"], number> = { create: 32, update: 33, delete: 31, unchanged: 0 };

type Paint = (code: number, text: string) => string;

function painter(color: boolean): Paint {
  return (code, text) => (color && code ? `\x1b[${code}m${text}\x1b[0m` : text);
}

function errorLine(error: PlanError, paint: Paint): string {
  const where = error.file ? `${error.file}${error.line ? `:${error.line}` : ""}: ` : "";
  return paint(31, `error: ${where}${error.message}`);
}

function diffLine(line: string, paint: Paint): string {
  if (line.startsWith("+++") || line.startsWith("---")) return paint(1, line);
  if (line.startsWith("@@")) return paint(36, line);
  if (line.startsWith("+")) return paint(32, line);
  if (line.startsWith("-")) return paint(31, line);
  return line;
}

function changeBlock(change: PlanChange, paint: Paint): string {
  const source = change.source ? ` (${change.source.file})` : "";
  const lines = [paint(ACTION_COLOR[change.action], `${SIGN[change.action]} ${change.action} ${describeId(change.id)}${source}`)];
  for (const danger of change.dangers) lines.push(paint(35, `  ! ${danger}`));
  for (const { key, change: what } of change.secretKeys ?? []) lines.push(`  key ${JSON.stringify(key)}: ${what}`);
  const diff = change.diff.replace(/\n$/, "");
  if (diff) lines.push(...diff.split("\n").map((line) => diffLine(line, paint)));
  return lines.join("\n");
}

/** "production: 1 to update, 3 unchanged" — the line people read first in CI logs. */
export function summaryLine(plan: Plan): string {
  let line = `${plan.environment}: ${describeSummary(plan.summary)}`;
  if (plan.summary.unchanged) line += `, ${plan.summary.unchanged} unchanged`;
  if (plan.errors.length) line += `, ${plan.errors.length} error${plan.errors.length === 1 ? "" : "s"}`;
  return line;
}

export function renderText(plan: Plan, opts: TextOptions = {}): string {
  const paint = painter(opts.color ?? false);
  const blocks: string[] = [];
  if (plan.errors.length) blocks.push(plan.errors.map((e) => errorLine(e, paint)).join("\n"));
  if (plan.clientSideFallback) {
    blocks.push(paint(33, "note: the server refused dry-run; compared client-side, so server defaults are not shown and fields removed from Git may not show either"));
  }
  for (const change of plan.changes) if (change.action !== "unchanged") blocks.push(changeBlock(change, paint));
  blocks.push(paint(1, summaryLine(plan)));
  return blocks.join("\n\n") + "\n";
}
