// Unified diff of two canonical YAML texts, as `kubectl diff` / `git diff` print it.
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from "diff";

/** Past this edit distance Myers gets slow; the texts are then shown as a full replacement. */
const MAX_EDIT_LENGTH = 2000;

function lines(text: string): string[] {
  return text === "" ? [] : text.replace(/\n$/, "").split("\n");
}

function replaceAll(oldText: string, newText: string, label: string): string {
  const removed = lines(oldText);
  const added = lines(newText);
  const range = (n: number) => `${n ? 1 : 0},${n}`;
  return [
    `--- live/${label}`,
    `+++ desired/${label}`,
    `@@ -${range(removed.length)} +${range(added.length)} @@`,
    ...removed.map((l) => `-${l}`),
    ...added.map((l) => `+${l}`),
    "",
  ].join("\n");
}

/** "" when equal; otherwise headers `--- live/<label>` / `+++ desired/<label>` and 3-line hunks. */
export function unifiedDiff(oldText: string, newText: string, label: string): string {
  if (oldText === newText) return "";
  // Creates and deletes need no diffing at all.
  if (oldText === "" || newText === "") return replaceAll(oldText, newText, label);
  const patch = createTwoFilesPatch(`live/${label}`, `desired/${label}`, oldText, newText, undefined, undefined, {
    context: 3,
    headerOptions: FILE_HEADERS_ONLY,
    maxEditLength: MAX_EDIT_LENGTH,
  });
  return patch ?? replaceAll(oldText, newText, label);
}
