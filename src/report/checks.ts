// The "Converge preview" check run: a one-line title for the checks list, the
// summary lines and errors as its summary, the per-object blocks as its text,
// and one annotation per error that names a file, so it shows in "Files changed".
import type { Plan } from "../diff/plan.js";
import { inlineCode, truncate } from "./escape.js";
import { MIN_CHARS, packBlocks } from "./pack.js";
import { envSummaryLine, errorLines, fitLines, noteLines, plural, summaryPhrase } from "./summary.js";

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "failure" | "warning" | "notice";
  message: string;
  title?: string;
}

export interface CheckOutput {
  title: string;
  summary: string;
  text?: string;
  annotations: Annotation[];
}

export type PreviewConclusion = "success" | "failure" | "neutral";

// GitHub accepts at most 50 annotations per create/update request; more would
// take extra requests against the rate limit, and the first 50 say enough.
export const MAX_ANNOTATIONS = 50;
const MAX_MESSAGE_BYTES = 64 * 1024; // GitHub's cap on an annotation message
const MAX_TITLE = 255; // the checks list shows one short line; keep titles well within it

/** Cut to at most maxBytes of UTF-8, on a code point boundary. */
function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let bytes = 3; // the "…"
  let end = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += ch.length;
  }
  return `${text.slice(0, end)}…`;
}

function oneLine(text: string): string {
  return truncate(text.replace(/\s+/g, " ").trim(), MAX_TITLE);
}

function title(plans: Plan[]): string {
  const failing = plans.filter((p) => p.errors.length);
  if (failing.length) return oneLine(failing.map((p) => `${plural(p.errors.length, "error")} in ${p.environment}`).join(" · "));
  return oneLine(plans.map((p) => `${p.environment}: ${summaryPhrase(p.summary)}`).join(" · "));
}

function summary(plans: Plan[], maxChars: number): string {
  const sections: string[] = [];
  const lines = fitLines(plans.map(envSummaryLine), Math.floor(maxChars / 4), (n) => `- … ${plural(n, "more environment")}`);
  if (lines?.length) sections.push(lines.join("\n"));
  const notes = fitLines(noteLines(plans), Math.floor(maxChars / 8), (n) => `> … ${plural(n, "more note")}`);
  if (notes?.length) sections.push(notes.join("\n>\n"));
  const errors = errorLines(plans);
  if (errors.length) {
    const budget = maxChars - sections.join("\n\n").length - "\n\n**Errors**\n\n".length;
    const shown = fitLines(errors, budget, (n) => `- … ${plural(n, "more error")} not shown`) ?? [];
    sections.push(`**Errors**\n\n${shown.join("\n")}`);
  }
  return sections.join("\n\n");
}

function text(plans: Plan[], maxChars: number): string | undefined {
  const more = (n: number) => `… ${plural(n, "more object")} not shown: the check run text is limited to ${maxChars} characters; run \`converge diff\` for the whole plan`;
  const total = plans.reduce((n, p) => n + p.changes.filter((c) => c.action !== "unchanged").length, 0);
  const { bodies, notShown } = packBlocks(plans, {
    maxChars,
    maxBodies: 1,
    firstUsed: 0,
    continuedUsed: 0,
    reserve: 2 + more(Math.max(total, 2)).length,
    note: (n) => `… diff truncated (${plural(n, "more line")}) — run \`converge diff\` for the whole diff`,
  });
  const parts = bodies[0];
  if (notShown) parts.push(more(notShown));
  return parts.length ? parts.join("\n\n") : undefined;
}

function annotations(plans: Plan[]): Annotation[] {
  return plans
    .flatMap((p) => p.errors.filter((e) => e.file).map((e) => ({ plan: p, error: e })))
    .slice(0, MAX_ANNOTATIONS)
    .map(({ plan, error }) => ({
      path: error.file as string,
      start_line: error.line ?? 1,
      end_line: error.line ?? 1,
      annotation_level: "failure" as const,
      title: oneLine(`${error.reason} (${plan.environment})`),
      // Plain text: GitHub shows annotation messages verbatim, no markdown.
      message: truncateUtf8(error.message || error.reason, MAX_MESSAGE_BYTES),
    }));
}

/** success unless a plan has errors; neutral only when no environment is affected. */
export function previewCheckOutput(
  plans: Plan[],
  opts: { headSha: string; maxChars?: number },
): { conclusion: PreviewConclusion; output: CheckOutput } {
  const maxChars = opts.maxChars ?? 65535;
  if (maxChars < MIN_CHARS) throw new RangeError(`maxChars must be at least ${MIN_CHARS}`);
  if (!plans.length) {
    return {
      conclusion: "neutral",
      output: { title: "No environment affected", summary: `No environment is affected by ${inlineCode(opts.headSha.slice(0, 7))}.`, annotations: [] },
    };
  }
  const conclusion = plans.some((p) => p.errors.length) ? "failure" : "success";
  const output: CheckOutput = { title: title(plans), summary: summary(plans, maxChars), annotations: annotations(plans) };
  const body = text(plans, maxChars);
  if (body !== undefined) output.text = body;
  return { conclusion, output };
}
