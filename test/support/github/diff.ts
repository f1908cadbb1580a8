import type { Leaf, ObjectStore } from "./objects.js";

// File lists for commits, compares and pull requests. GitHub reports
// per-file status, line counts and a unified-diff `patch` (omitted for
// binary or very large files); we do the same with a plain LCS diff.

export interface FileChange {
  filename: string;
  status: "added" | "removed" | "modified" | "renamed";
  sha: string;
  previousFilename?: string;
  additions: number;
  deletions: number;
  patch?: string;
}

/** Changes from tree `from` (undefined = empty) to tree `to`, sorted by path like GitHub. */
export function diffTrees(store: ObjectStore, from: string | undefined, to: string): FileChange[] {
  const a = from ? store.flatten(from) : new Map<string, Leaf>();
  const b = store.flatten(to);
  const removed = [...a].filter(([p]) => !b.has(p));
  const out: FileChange[] = [];
  for (const [path, leaf] of b) {
    const old = a.get(path);
    if (old && old.sha === leaf.sha && old.mode === leaf.mode) continue;
    if (old) { out.push(change(store, path, "modified", old.sha, leaf.sha)); continue; }
    // Exact renames (same blob) are reported as GitHub does: one "renamed" entry.
    const renameIdx = removed.findIndex(([, l]) => l.sha === leaf.sha);
    if (renameIdx >= 0) {
      const [prev] = removed.splice(renameIdx, 1)[0];
      out.push({ ...change(store, path, "renamed", leaf.sha, leaf.sha), previousFilename: prev });
      continue;
    }
    out.push(change(store, path, "added", undefined, leaf.sha));
  }
  for (const [path, leaf] of removed) out.push(change(store, path, "removed", leaf.sha, undefined));
  return out.sort((x, y) => (x.filename < y.filename ? -1 : x.filename > y.filename ? 1 : 0));
}

function change(store: ObjectStore, filename: string, status: FileChange["status"], oldSha?: string, newSha?: string): FileChange {
  const before = oldSha ? store.blob(oldSha) : undefined;
  const after = newSha ? store.blob(newSha) : undefined;
  const d = lineDiff(before?.toString("utf8") ?? "", after?.toString("utf8") ?? "", isBinary(before) || isBinary(after));
  return { filename, status, sha: newSha ?? oldSha ?? "", ...d };
}

function isBinary(b: Buffer | undefined): boolean {
  return !!b && b.includes(0);
}

const MAX_LINES = 2000;

export function lineDiff(a: string, b: string, binary = false): { additions: number; deletions: number; patch?: string } {
  if (binary) return { additions: 0, deletions: 0 };
  const x = splitLines(a);
  const y = splitLines(b);
  if (x.length > MAX_LINES || y.length > MAX_LINES) {
    // Too big to diff cheaply: count like a full rewrite and omit the patch (GitHub omits large patches too).
    return { additions: y.length, deletions: x.length };
  }
  const ops = lcsOps(x, y);
  return {
    additions: ops.filter((o) => o.op === "+").length,
    deletions: ops.filter((o) => o.op === "-").length,
    patch: ops.some((o) => o.op !== " ") ? hunks(ops) : undefined,
  };
}

function splitLines(s: string): string[] {
  if (s === "") return [];
  const lines = s.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

interface Op { op: " " | "+" | "-"; line: string; a: number; b: number }

function lcsOps(x: string[], y: string[]): Op[] {
  const n = x.length, m = y.length;
  const dp = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) dp[i][j] = x[i] === y[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
  }
  const ops: Op[] = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    // Deletions before additions on ties, as git prints them.
    if (i < n && j < m && x[i] === y[j]) ops.push({ op: " ", line: x[i], a: i++, b: j++ });
    else if (i < n && (j >= m || dp[i + 1][j] >= dp[i][j + 1])) ops.push({ op: "-", line: x[i], a: i++, b: j });
    else ops.push({ op: "+", line: y[j], a: i, b: j++ });
  }
  return ops;
}

/** Unified-diff hunks with 3 lines of context, without file headers (GitHub's `patch` field). */
function hunks(ops: Op[]): string {
  const out: string[] = [];
  let k = 0;
  while (k < ops.length) {
    while (k < ops.length && ops[k].op === " ") k++;
    if (k >= ops.length) break;
    const start = Math.max(0, k - 3);
    let end = k;
    // Extend the hunk while the next change is within 6 context lines.
    for (let gap = 0; end < ops.length && gap <= 6; end++) gap = ops[end].op === " " ? gap + 1 : 0;
    end = Math.min(ops.length, end - Math.max(0, countTrailingContext(ops, end) - 3));
    const slice = ops.slice(start, end);
    const aLen = slice.filter((o) => o.op !== "+").length;
    const bLen = slice.filter((o) => o.op !== "-").length;
    out.push(`@@ -${slice[0].a + (aLen ? 1 : 0)},${aLen} +${slice[0].b + (bLen ? 1 : 0)},${bLen} @@`);
    for (const o of slice) out.push(o.op + o.line);
    k = end;
  }
  return out.join("\n");
}

function countTrailingContext(ops: Op[], end: number): number {
  let c = 0;
  for (let i = end - 1; i >= 0 && ops[i].op === " "; i--) c++;
  return c;
}
