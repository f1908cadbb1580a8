// Text from manifests, file names and cluster messages is untrusted. Rendered
// into a PR comment it must not become markup, ping a user or team, or link
// (and so cross-reference) an issue. Code blocks are left verbatim: GitHub
// links nothing inside them, so all they need is a fence the content cannot close.

/** A backtick fence longer than any backtick run in content: CommonMark closes a fence only with a run at least as long. */
export function fenceFor(content: string): string {
  let longest = 0;
  for (const run of content.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return "`".repeat(Math.max(3, longest + 1));
}

/** A code span for short values (SHAs, reasons); GitHub links nothing inside code. */
export function inlineCode(text: string): string {
  const flat = text.replace(/[\r\n]+/g, " ");
  let longest = 0;
  for (const run of flat.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const ticks = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}

// U+200B (zero-width space) after "@", "#", "GH-", "://" and "www": GitHub's
// mention, issue-reference and autolink filters need those to be followed
// directly by the name, number or host, so one invisible character defuses
// them while the text reads the same (Renovate does this with "@&#8203;").
// An entity rather than an HTML-escaped character survives both places the
// text lands: markdown paragraphs and raw HTML blocks (<summary>).
const ZWSP = "\u200B";

const HTML: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

// Punctuation that starts emphasis, code, links, strikethrough, tables or math
// anywhere in a line. Numeric entities instead of backslashes: backslash
// escapes are not processed inside raw HTML blocks and would show up there.
const ACTIVE = new Set(["\\", "`", "*", "_", "[", "]", "~", "|", "$", "#", "!"]);

// Only at the start of a line (or right after a list marker) do these open a
// block: list item, setext underline, indented code.
const LEADING = new Set([" ", "\t", "-", "+", "="]);

function entity(ch: string): string {
  return `&#${ch.codePointAt(0)};`;
}

export function escapeInline(text: string): string {
  const neutral = text
    .replace(/\r\n?/g, "\n")
    .replace(/@/g, `@${ZWSP}`)
    .replace(/#(?=\d)/g, `#${ZWSP}`)
    .replace(/(GH-)(?=\d)/gi, `$1${ZWSP}`)
    .replace(/:\/\//g, `:${ZWSP}//`)
    .replace(/(www)(?=\.)/gi, `$1${ZWSP}`);
  // "1. foo" or "2) foo" at the start would become an ordered list.
  const listDot = /^\d{1,9}[.)]/.exec(neutral)?.[0].length ?? 0;
  let out = "";
  let index = 0;
  for (const ch of neutral) {
    if (ch === "\n") out += "<br>"; // keeps one line: a blank line would end the list item or HTML block
    else if (ch === ZWSP) out += "&#8203;";
    else if (HTML[ch]) out += HTML[ch];
    else if (ACTIVE.has(ch) || (index === 0 && LEADING.has(ch)) || index === listDot - 1) out += entity(ch);
    else out += ch;
    index += ch.length;
  }
  return out;
}

/** At most `max` UTF-16 code units, never ending on half a surrogate pair; "…" marks the cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
