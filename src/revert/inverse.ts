// Undoing one commit on top of a branch that may have moved on: for each file
// the failed commit changed, the inverse change (failed → before) is applied
// to the file as it is now, like `git revert` does. When the file changed
// since in the same places, the inverse patch does not apply and that file is
// a conflict: Converge never guesses. Pure: contents in, contents out.
import { applyPatch, structuredPatch } from "diff";

export interface FileVersions {
  path: string;
  before?: string; // at the failed commit's first parent (undefined: did not exist)
  failed?: string; // at the failed commit
  current?: string; // at the branch head now
}

export interface InverseResult {
  /** New content per path; null deletes the file. Paths needing no change are absent. */
  changes: Map<string, string | null>;
  conflicts: Array<{ path: string; why: string }>;
}

export function inverseChanges(files: FileVersions[]): InverseResult {
  const changes = new Map<string, string | null>();
  const conflicts: InverseResult["conflicts"] = [];
  for (const f of files) {
    const outcome = inverseOne(f);
    if (outcome.kind === "conflict") conflicts.push({ path: f.path, why: outcome.why });
    else if (outcome.kind === "change") changes.set(f.path, outcome.content);
  }
  return { changes, conflicts };
}

type Outcome = { kind: "change"; content: string | null } | { kind: "same" } | { kind: "conflict"; why: string };

function inverseOne({ before, failed, current }: FileVersions): Outcome {
  if (current === failed) return before === current ? { kind: "same" } : { kind: "change", content: before ?? null };
  if (current === before) return { kind: "same" }; // already undone by someone else
  if (current === undefined) return { kind: "conflict", why: "the file was deleted after the failed commit" };
  if (failed === undefined) return { kind: "conflict", why: "the failed commit deleted this file and it was re-created since" };
  if (before === undefined) return { kind: "conflict", why: "the failed commit created this file and it was changed since" };
  // Three-way: the inverse patch (failed → before) with its context lines must apply to the current text exactly.
  const inverse = structuredPatch("a", "b", failed, before, undefined, undefined, { context: 3 });
  const merged = applyPatch(current, inverse, { fuzzFactor: 0 });
  if (merged === false) return { kind: "conflict", why: "the same lines were changed again after the failed commit" };
  return { kind: "change", content: merged };
}
