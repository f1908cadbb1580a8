// One sticky comment per PR (plus numbered continuations when the report is
// longer than GitHub allows), found again by hidden markers on any page of
// comments and edited in place: never a new comment per push.
import { parsePreviewMarker } from "../report/markdown.js";
import type { GitHub, RepoRef } from "./types.js";

/** Comment ids we wrote, by repo#pr: skips the comment search after the first run. */
const known = new Map<string, number[]>();

/**
 * Writes `bodies` as our comments on the issue. `fresh`: the PR was just
 * opened, so none of our comments can exist yet and the search is skipped.
 */
export async function ensureComments(gh: GitHub, repo: RepoRef, issue: number, bodies: string[], fresh = false): Promise<number[]> {
  const key = `${repo.owner}/${repo.repo}#${issue}`.toLowerCase();
  let ids = known.get(key);
  if (!ids) ids = fresh ? [] : await findComments(gh, repo, issue);
  try {
    ids = await write(gh, repo, issue, ids, bodies);
  } catch (err) {
    if ((err as { status?: number }).status !== 404) throw err;
    // Someone deleted one of our comments: search again, once.
    ids = await write(gh, repo, issue, await findComments(gh, repo, issue), bodies);
  }
  known.set(key, ids);
  return ids;
}

async function write(gh: GitHub, repo: RepoRef, issue: number, existing: number[], bodies: string[]): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < bodies.length; i++) {
    const id = existing[i];
    if (id) {
      await gh.rest.issues.updateComment({ ...repo, comment_id: id, body: bodies[i]! });
      ids.push(id);
    } else {
      const res = await gh.rest.issues.createComment({ ...repo, issue_number: issue, body: bodies[i]! });
      ids.push(res.data.id);
    }
  }
  // Continuations no longer needed (the report got shorter): remove them.
  for (const id of existing.slice(bodies.length)) await gh.rest.issues.deleteComment({ ...repo, comment_id: id });
  return ids;
}

/** Our comments in order: the main one first, then part 2, 3, … */
async function findComments(gh: GitHub, repo: RepoRef, issue: number): Promise<number[]> {
  const comments = await gh.paginate(gh.rest.issues.listComments, { ...repo, issue_number: issue, per_page: 100 });
  const parts: Array<{ n: number; id: number }> = [];
  for (const c of comments) {
    const n = parsePreviewMarker(c.body ?? "");
    if (n !== undefined) parts.push({ n, id: c.id });
  }
  parts.sort((a, b) => a.n - b.n);
  return parts.map((p) => p.id);
}

/** For tests and long-running processes: forget cached comment ids. */
export function forgetComments(): void {
  known.clear();
}
