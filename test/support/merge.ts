// Test helper: a PR merged on the simulated GitHub, and the push webhook
// GitHub would send for it.
import type { Stack } from "./stack.js";

export interface Merged {
  number: number;
  sha: string;
  before: string;
}

/** Opens a PR from a new branch with `files`, merges it into main, returns the merge commit. */
export function mergeChange(stack: Stack, repo: string, branch: string, files: Record<string, string | null>, title = branch, author = "alice"): Merged {
  const before = stack.gh.ref(repo, "main")!;
  stack.gh.createBranch(repo, branch, before);
  stack.gh.commit(repo, branch, files, { message: title, author });
  const number = stack.gh.openPull(repo, { head: branch, title, user: author });
  const sha = stack.gh.mergePull(repo, number, { user: "bob" });
  return { number, sha, before };
}

export function pushPayload(stack: Stack, repo: string, m: Pick<Merged, "before" | "sha">): unknown {
  return stack.gh.events.push(repo, "refs/heads/main", m.before, m.sha, "bob");
}
