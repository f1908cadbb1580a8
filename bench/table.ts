// One aligned plain-text table per suite: text columns left-aligned, numbers
// right-aligned with thousands separators and as many decimals (0-2) as the
// column needs, so a terminal or a Markdown code block shows them as they are.
import type { Cell, SuiteResult } from "./types.js";

/** Decimals a number needs, at most 2 (suites round their figures; this only lines them up). */
function decimals(x: number): number {
  if (Number.isInteger(x)) return 0;
  return Number.isInteger(Math.round(x * 10 * 1e6) / 1e6) ? 1 : 2;
}

export function formatCell(c: Cell, digits = typeof c === "number" ? decimals(c) : 0): string {
  if (c === undefined) return "-";
  if (typeof c === "string") return c;
  if (!Number.isFinite(c)) return String(c);
  return c.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatTable(result: Pick<SuiteResult, "title" | "columns" | "rows" | "notes">): string {
  const { columns, rows } = result;
  // A column is numeric (right-aligned) when every non-empty cell in it is a number.
  const numeric = columns.map((_, i) => rows.every((r) => r[i] === undefined || typeof r[i] === "number"));
  const digits = columns.map((_, i) => Math.max(0, ...rows.map((r) => (typeof r[i] === "number" && Number.isFinite(r[i]) ? decimals(r[i] as number) : 0))));
  const cells = rows.map((r) => columns.map((_, i) => formatCell(r[i], digits[i])));
  const widths = columns.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  const out = [result.title, line(columns), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)];
  if (result.notes.length) out.push("", ...result.notes);
  return out.join("\n");
}
