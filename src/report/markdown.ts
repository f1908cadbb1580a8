// The sticky PR comment: summary lines first, then errors and notes, then one
// folded block per changed object. GitHub caps a comment at 65,536 characters,
// so a long preview is split into numbered comments, each carrying a hidden
// marker the GitHub adapter finds them by.
import type { Plan } from "../diff/plan.js";
import { escapeInline, inlineCode } from "./escape.js";
import { MIN_CHARS, packBlocks } from "./pack.js";
import { envSummaryLine, errorLines, fitLines, noteLines, plural } from "./summary.js";

export const COMMENT_MARKER = "<!-- converge:preview -->";

export interface MarkdownOptions {
  headSha?: string;
  checkRunUrl?: string;
  /** Per comment body, in UTF-16 code units (String#length), never fewer than the characters GitHub counts. */
  maxChars?: number;
  maxComments?: number;
  /** The PR edits .github/converge.yml, which is read from the default branch only. */
  configChanged?: boolean;
}

/** The marker on the first line of body `part` (1-based). */
export function previewMarker(part: number): string {
  return part === 1 ? COMMENT_MARKER : `<!-- converge:preview:part=${part} -->`;
}

/** Which part of the preview a comment body is, from its first line; undefined for other comments. */
export function parsePreviewMarker(body: string): number | undefined {
  const first = body.split("\n", 1)[0].trim();
  if (first === COMMENT_MARKER) return 1;
  const match = /^<!-- converge:preview:part=([1-9]\d*) -->$/.exec(first);
  return match ? Number(match[1]) : undefined;
}

function short(sha: string): string {
  return inlineCode(sha.slice(0, 7));
}

function footer(headSha: string | undefined): string {
  const computed = headSha ? ` · computed for ${inlineCode(headSha)}` : "";
  return `<sub>Converge${computed} · comment \`/converge preview\` to recompute</sub>`;
}

function pointer(n: number, checkRunUrl: string | undefined): string {
  // Parentheses and spaces would end the link destination early.
  const where = checkRunUrl ? `the [check run](${checkRunUrl.replace(/[()<>\s"]/g, encodeURIComponent)})` : "the `Converge preview` check run";
  return `… ${plural(n, "more object")} not shown: see ${where}`;
}

function continuedHeader(part: number, of: number, headSha: string | undefined): string {
  const title = headSha ? `Converge preview for ${short(headSha)}` : "Converge preview";
  return `${previewMarker(part)}\n_${title}, continued (part ${part} of ${of})_`;
}

/** Marker, heading, summary lines, notes, errors: within half a body, so object blocks start in the first comment. */
function head(plans: Plan[], opts: MarkdownOptions, maxChars: number): string {
  const title = opts.headSha ? `### Converge preview for ${short(opts.headSha)}` : "### Converge preview";
  const sections = [`${COMMENT_MARKER}\n${title}`];
  if (!plans.length) sections.push("No environment is affected by this pull request.");
  const summary = fitLines(plans.map(envSummaryLine), Math.floor(maxChars / 4), (n) => `- … ${plural(n, "more environment")}`);
  if (summary?.length) sections.push(summary.join("\n"));
  const notes = noteLines(plans);
  if (opts.configChanged) notes.unshift("> ℹ️ This pull request edits `.github/converge.yml`: the change takes effect after merge (previews and approvals use the default branch's configuration).");
  const shownNotes = fitLines(notes, Math.floor(maxChars / 8), (n) => `> … ${plural(n, "more note")}`);
  if (shownNotes?.length) sections.push(shownNotes.join("\n>\n"));
  const errors = errorLines(plans);
  if (errors.length) {
    const budget = Math.floor(maxChars / 2) - sections.join("\n\n").length - "\n\n**Errors**\n\n".length;
    const shown = fitLines(errors, budget, (n) => `- … ${plural(n, "more error")}: see the check run`);
    sections.push(`**Errors**\n\n${(shown ?? [`- ${plural(errors.length, "error")}: see the check run`]).join("\n")}`);
  }
  return sections.join("\n\n");
}

/** One or more comment bodies, each within maxChars; more than maxComments are never produced. */
export function renderMarkdown(plans: Plan[], opts: MarkdownOptions = {}): string[] {
  const maxChars = opts.maxChars ?? 65536;
  const maxComments = opts.maxComments ?? 5;
  if (maxChars < MIN_CHARS) throw new RangeError(`maxChars must be at least ${MIN_CHARS}`);
  if (!Number.isInteger(maxComments) || maxComments < 1) throw new RangeError("maxComments must be a positive integer");

  const first = head(plans, opts, maxChars);
  const end = footer(opts.headSha);
  const changed = plans.reduce((n, p) => n + p.changes.filter((c) => c.action !== "unchanged").length, 0);
  const { bodies, notShown } = packBlocks(plans, {
    maxChars,
    maxBodies: maxComments,
    firstUsed: first.length,
    // Digits of part numbers never exceed those of maxComments.
    continuedUsed: continuedHeader(maxComments, maxComments, opts.headSha).length,
    reserve: 2 + pointer(Math.max(changed, 2), opts.checkRunUrl).length + 2 + end.length,
    note: (n) => `… diff truncated (${plural(n, "more line")}) — see the check run`,
  });
  return bodies.map((parts, i) => {
    const sections = [i === 0 ? first : continuedHeader(i + 1, bodies.length, opts.headSha), ...parts];
    if (i === bodies.length - 1) {
      if (notShown) sections.push(pointer(notShown, opts.checkRunUrl));
      sections.push(end);
    }
    return sections.join("\n\n");
  });
}

/** Posted (or edited in) at once, so reviewers see the preview is on its way for this commit. */
export function renderPending(headSha: string, environments: string[]): string {
  const envs = environments.map((e) => `**${escapeInline(e)}**`).join(", ");
  return `${COMMENT_MARKER}\n### Converge preview for ${short(headSha)}\n\n⏳ previewing ${short(headSha)}${envs ? ` for ${envs}` : ""}…`;
}
