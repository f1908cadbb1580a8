// One changed object as a folded block: the summary line (action, object,
// file, dangers) is visible without unfolding; Secret key names and the diff
// are inside. The same block goes into the PR comment and the check run text.
import { describeId } from "../manifests/object.js";
import type { PlanChange } from "../diff/plan.js";
import { escapeInline, fenceFor, truncate } from "./escape.js";
import { fitLines, joinedLength, MAX_NAME } from "./summary.js";

const SIGN: Record<PlanChange["action"], string> = { create: "+", update: "~", delete: "-", unchanged: "=" };
const MAX_DANGERS = 5; // more would push the diff out of sight; the check run lists the rest

/** Says how many diff lines were cut, and where to find them. */
export type TruncationNote = (moreLines: number) => string;

function summaryHtml(change: PlanChange): string {
  const verb = change.action === "delete" ? "<strong>deletes</strong>" : change.action;
  let html = `${SIGN[change.action]} ${verb} <code>${escapeInline(truncate(describeId(change.id), MAX_NAME * 3))}</code>`;
  if (change.source) html += ` — ${escapeInline(truncate(change.source.file, MAX_NAME * 3))}`;
  const dangers = change.dangers.slice(0, MAX_DANGERS).map((d) => escapeInline(truncate(d, MAX_NAME * 3)));
  if (change.dangers.length > MAX_DANGERS) dangers.push(`${change.dangers.length - MAX_DANGERS} more dangers`);
  for (const danger of dangers) html += `<br>⚠️ ${danger}`;
  return html;
}

function keyLines(change: PlanChange): string[] {
  return (change.secretKeys ?? []).map(({ key, change: what }) => `- key "${escapeInline(truncate(key, MAX_NAME * 3))}": ${what}`);
}

function diffLines(change: PlanChange): string[] {
  const diff = change.diff.replace(/\n$/, "");
  return diff ? diff.split("\n") : [];
}

function codeBlock(lines: string[], fence: string): string {
  return `${fence}diff\n${lines.join("\n")}\n${fence}`;
}

function assemble(summary: string, inner: string[]): string {
  const body = inner.length ? `${inner.join("\n\n")}\n\n` : "";
  return `<details><summary>${summary}</summary>\n\n${body}</details>`;
}

/** The whole block, however long. */
export function renderBlock(change: PlanChange): string {
  const keys = keyLines(change);
  const lines = diffLines(change);
  const inner: string[] = [];
  if (keys.length) inner.push(keys.join("\n"));
  if (lines.length) inner.push(codeBlock(lines, fenceFor(lines.join("\n"))));
  return assemble(summaryHtml(change), inner);
}

/**
 * The block within `limit` characters: key names first (what a Secret's
 * reviewer needs), then as many whole diff lines as fit, then the note. The
 * fence is chosen from the whole diff, so it still cannot be closed early.
 * Falls back to a one-line item; undefined when not even that fits.
 */
export function fitBlock(change: PlanChange, limit: number, note: TruncationNote): string | undefined {
  const full = renderBlock(change);
  if (full.length <= limit) return full;
  const summary = summaryHtml(change);
  const lines = diffLines(change);
  const fence = fenceFor(lines.join("\n"));
  const noteMax = lines.length ? note(lines.length).length + 2 : 0;
  let budget = limit - assemble(summary, []).length - noteMax;
  const inner: string[] = [];
  const keys = keyLines(change);
  if (keys.length) {
    const shown = fitLines(keys, budget - 2, (n) => `- … ${n} more keys`);
    if (shown) inner.push(shown.join("\n"));
    budget -= shown ? joinedLength(shown) + 2 : 0;
  }
  if (lines.length) {
    const room = budget - 2 - codeBlock([], fence).length;
    let used = 0;
    let count = 0;
    for (const line of lines) {
      const cost = line.length + (count ? 1 : 0); // "\n" between lines
      if (used + cost > room) break;
      used += cost;
      count++;
    }
    if (count) inner.push(codeBlock(lines.slice(0, count), fence));
    if (count < lines.length) inner.push(note(lines.length - count));
  }
  const block = assemble(summary, inner);
  if (block.length <= limit) return block;
  const compact = `- ${SIGN[change.action]} ${change.action} ${escapeInline(truncate(describeId(change.id), MAX_NAME))} (too long to show here)`;
  return compact.length <= limit ? compact : undefined;
}
