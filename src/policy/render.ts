// Markdown for the check run's text: a checklist, unmet first. Condition
// sentences carry strings from the PR (image and object names), so they are
// escaped here rather than trusted as markdown or HTML.
import type { GateResult } from "./types.js";

/** GitHub's limit on a check run's output.text. */
export const MAX_TEXT = 65_535;

/** Escapes HTML and the inline markdown that could change how a line renders. */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/\s+/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\`*_[\]|~])/g, "\\$1");
}

export function renderGateText(result: GateResult): string {
  const items = [...result.unmet.map((s) => `- [ ] ${escapeMarkdown(s)}`), ...result.met.map((s) => `- [x] ${escapeMarkdown(s)}`)];
  if (items.length === 0) return "No environment is affected by this pull request, so there is nothing to approve.\n";
  const lines: string[] = [];
  let length = 0;
  for (const [i, item] of items.entries()) {
    // Keep room for the closing line; unmet items come first, so they survive a cut.
    if (length + item.length + 1 > MAX_TEXT - 100) {
      lines.push(`- … and ${items.length - i} more conditions not shown`);
      break;
    }
    lines.push(item);
    length += item.length + 1;
  }
  return `${lines.join("\n")}\n`;
}
