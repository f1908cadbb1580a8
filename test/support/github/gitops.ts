import type { Leaf, Mode, Person } from "./objects.js";
import type { RepoRec, State } from "./state.js";

// Repository operations shared by the REST handlers and the test helpers:
// moving refs (recorded, so tests can assert "never force-pushed"), and
// committing a file map on top of a branch like a developer's push would.

export type FileSpec = string | null;

export function setRef(s: State, repo: RepoRec, ref: string, to: string | null, opts: { force?: boolean; via: "api" | "helper" | "merge" }): void {
  const from = repo.refs.get(ref) ?? null;
  const fastForward = !from || !to || repo.objects.isAncestor(from, to);
  s.refUpdates.push({ repo: repo.fullName, ref, from, to, force: !!opts.force, fastForward, via: opts.via });
  if (to) repo.refs.set(ref, to);
  else repo.refs.delete(ref);
  repo.pushedAt = s.timestamp();
}

/** Tree of a commit, or undefined when the ref/sha does not name a commit. */
export function treeOf(s: State, repo: RepoRec, ref: string): string | undefined {
  const sha = s.resolve(repo, ref);
  return sha ? repo.objects.commit(sha)?.tree : undefined;
}

export function filesAt(s: State, repo: RepoRec, ref: string): Record<string, string> {
  const tree = treeOf(s, repo, ref);
  if (!tree) throw new Error(`simulated GitHub: ${repo.fullName} has no ref ${ref}`);
  const out: Record<string, string> = {};
  for (const [path, leaf] of repo.objects.flatten(tree)) {
    if (leaf.mode !== "160000") out[path] = repo.objects.blob(leaf.sha)!.toString("utf8");
  }
  return out;
}

export interface CommitOptions { message: string; author?: string; parents?: string[]; date?: string }

/**
 * Writes `files` (null deletes) on top of the branch head (or explicit parents) and moves the
 * branch there, creating it if needed. Returns the new commit SHA.
 */
export function commitFiles(s: State, repo: RepoRec, branch: string, files: Record<string, FileSpec>, opts: CommitOptions): string {
  const ref = `refs/heads/${branch}`;
  const parents = opts.parents ?? (repo.refs.has(ref) ? [repo.refs.get(ref)!] : []);
  const baseTree = parents.length ? repo.objects.commit(parents[0])?.tree : undefined;
  if (parents.length && !baseTree) throw new Error(`simulated GitHub: parent ${parents[0]} is not a commit in ${repo.fullName}`);
  const leaves: Map<string, Leaf> = baseTree ? repo.objects.flatten(baseTree) : new Map();
  for (const [path, content] of Object.entries(files)) {
    const clean = path.replace(/^\/+/, "");
    if (content === null) {
      for (const p of [...leaves.keys()]) if (p === clean || p.startsWith(clean + "/")) leaves.delete(p);
    } else {
      leaves.set(clean, { mode: "100644" as Mode, sha: repo.objects.writeBlob(Buffer.from(content, "utf8")) });
    }
  }
  const person: Person = { ...s.person(opts.author ?? repo.owner), ...(opts.date ? { date: opts.date } : {}) };
  const sha = repo.objects.writeCommit({ tree: repo.objects.buildTree(leaves), parents, author: person, committer: person, message: opts.message });
  setRef(s, repo, ref, sha, { force: !!opts.parents && !!repo.refs.get(ref) && !parents.includes(repo.refs.get(ref)!), via: "helper" });
  return sha;
}
