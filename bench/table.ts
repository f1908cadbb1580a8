// One aligned plain-text table per suite: text columns left-aligned, numbers
// right-aligned with thousands separators, so a terminal or a Markdown code
// block shows them as they are.
import type { Cell, SuiteResult } from "./types.js";

export function formatCell(c: Cell): string {
  if (c === undefined) return "-";
  if (typeof c === "string") return c;
  if (!Number.isFinite(c)) return String(c);
  const digits = Number.isInteger(c) ? 0 : Math.abs(c) < 10 ? 2 : 1;
  return c.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatTable(result: Pick<SuiteResult, "title" | "columns" | "rows" | "notes">): string {
  const cells = result.rows.map((r) => result.columns.map((_, i) => formatCell(r[i])));
  // A column is numeric (right-aligned) when every non-empty cell in it is a number.
  const numeric = result.columns.map((_, i) => result.rows.every((r) => r[i] === undefined || typeof r[i] === "number"));
  const widths = result.columns.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  const out = [result.title, line(result.columns), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)];
  if (result.notes.length) out.push("", ...result.notes);
  return out.join("\n");
}
