// Git Data API: read commits, trees and blobs, and write a new commit on a
// new branch — no clone, no force, no history rewrite (refs are only ever
// created, never moved backwards or overwritten).
import type { GitHub, RepoRef } from "./types.js";

export interface CommitInfo {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
}

export async function getCommit(gh: GitHub, repo: RepoRef, sha: string): Promise<CommitInfo> {
  const { data } = await gh.rest.git.getCommit({ ...repo, commit_sha: sha });
  return { sha: data.sha, tree: data.tree.sha, parents: data.parents.map((p) => p.sha), message: data.message };
}

export async function branchHeadSha(gh: GitHub, repo: RepoRef, branch: string): Promise<string> {
  const { data } = await gh.rest.git.getRef({ ...repo, ref: `heads/${branch}` });
  return data.object.sha;
}

export type FileMode = "100644" | "100755" | "120000";

export interface TreeFile {
  sha: string;
  mode: FileMode;
}

/** path → blob (sha and mode: executables and symlinks keep theirs) for every file of a tree. */
export async function treeFiles(gh: GitHub, repo: RepoRef, tree: string): Promise<Map<string, TreeFile>> {
  const { data } = await gh.rest.git.getTree({ ...repo, tree_sha: tree, recursive: "1" });
  if (data.truncated) throw new Error(`tree ${tree.slice(0, 7)} is too large for the Git Data API (truncated listing)`);
  return new Map(data.tree.filter((e) => e.type === "blob" && e.path && e.sha).map((e) => [e.path!, { sha: e.sha!, mode: (e.mode ?? "100644") as FileMode }] as const));
}

export async function readBlob(gh: GitHub, repo: RepoRef, sha: string): Promise<Buffer> {
  const { data } = await gh.rest.git.getBlob({ ...repo, file_sha: sha });
  return Buffer.from(data.content, data.encoding === "base64" ? "base64" : "utf8");
}

/** One path in a new tree: an existing blob (binary-safe), new text, or deletion. */
export type TreeChange = { blob: TreeFile } | { text: string; mode: FileMode } | { delete: true };

/** A commit with `changes` on top of `parent`. */
export async function commitChanges(gh: GitHub, repo: RepoRef, parent: CommitInfo, changes: Map<string, TreeChange>, message: string): Promise<string> {
  const tree = await gh.rest.git.createTree({
    ...repo,
    base_tree: parent.tree,
    tree: [...changes].map(([path, c]) => {
      if ("delete" in c) return { path, mode: "100644" as const, type: "blob" as const, sha: null };
      if ("blob" in c) return { path, mode: c.blob.mode, type: "blob" as const, sha: c.blob.sha };
      return { path, mode: c.mode, type: "blob" as const, content: c.text };
    }),
  });
  const commit = await gh.rest.git.createCommit({ ...repo, message, tree: tree.data.sha, parents: [parent.sha] });
  return commit.data.sha;
}

/** Creates refs/heads/<branch>; false when it already exists (never overwritten). */
export async function createBranch(gh: GitHub, repo: RepoRef, branch: string, sha: string): Promise<boolean> {
  try {
    await gh.rest.git.createRef({ ...repo, ref: `refs/heads/${branch}`, sha });
    return true;
  } catch (err) {
    const e = err as { status?: number; message?: string };
    if (e.status === 422 && /already exists/i.test(e.message ?? "")) return false;
    throw err;
  }
}
