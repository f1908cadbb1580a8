import { errorBody, json, validationFailed, fieldError } from "./http.js";
import type { SimResponse } from "./http.js";
import type { Person } from "./objects.js";
import { setRef } from "./gitops.js";
import { headSha, isMergeable, pullCommits, pullOf } from "./pulls.js";
import type { Route } from "./router.js";
import type { IssueRec, RepoRec, State } from "./state.js";

// Merging as the merge button does it: a new commit on the base branch (merge
// commit with two parents, or one squashed commit), never a rewrite. GitHub
// answers 405 when the PR cannot be merged and 409 when the head moved since
// the caller looked (the `sha` guard) — an app merging on a policy decision
// must handle both.

const WEB_FLOW: Omit<Person, "date"> = { name: "GitHub", email: "noreply@github.com" };

export interface MergeOptions { user: string; method: string; sha?: string; title?: string; message?: string }

function notMergeable(message = "Pull Request is not mergeable"): SimResponse {
  return { status: 405, body: errorBody(405, message) };
}

export function mergePull(s: State, r: RepoRec, i: IssueRec, o: MergeOptions): SimResponse {
  const p = i.pull!;
  if (o.method !== "merge" && o.method !== "squash" && o.method !== "rebase") return validationFailed([fieldError("PullRequest", "merge_method", "invalid")]);
  if (i.state !== "open" || p.merged) return notMergeable();
  const head = headSha(s, r, i);
  if (o.sha && o.sha !== head) return { status: 409, body: errorBody(409, "Head branch was modified. Review and try the merge again.") };
  // The simulated repo, like its repoJson, has allow_rebase_merge: false.
  if (o.method === "rebase") return notMergeable("Rebase merges are not allowed on this repository.");
  if (!isMergeable(s, r, i)) return notMergeable();
  const merged = r.objects.merge(p.baseSha, head);
  if (!("tree" in merged)) return notMergeable();
  const now = s.timestamp();
  const author = { ...s.person(o.method === "squash" ? i.user : o.user), date: now };
  const title = o.title ?? (o.method === "squash" ? `${i.title} (#${i.number})` : `Merge pull request #${i.number} from ${r.owner}/${p.headRef}`);
  const body = o.message ?? (o.method === "squash" ? pullCommits(s, r, i).map((c) => `* ${r.objects.commit(c)!.message}`).join("\n\n") : i.title);
  const sha = r.objects.writeCommit({
    tree: merged.tree, parents: o.method === "squash" ? [p.baseSha] : [p.baseSha, head],
    author, committer: { ...WEB_FLOW, date: now }, message: body ? `${title}\n\n${body}` : title,
  });
  setRef(s, r, `refs/heads/${p.baseRef}`, sha, { via: "merge" });
  p.merged = true;
  p.mergedAt = now;
  p.mergedBy = o.user;
  p.mergeCommitSha = sha;
  i.state = "closed";
  i.closedAt = now;
  i.closedBy = o.user;
  i.updatedAt = now;
  return json(200, { sha, merged: true, message: "Pull Request successfully merged" });
}

/**
 * Merges branch `from` into `into` with a merge commit (what a deployment's auto_merge does).
 * Returns the new SHA, undefined when already up to date, or "conflict".
 */
export function mergeBranch(s: State, r: RepoRec, into: string, from: string, user: string): string | undefined | "conflict" {
  const ours = r.refs.get(`refs/heads/${into}`);
  const theirs = r.refs.get(`refs/heads/${from}`);
  if (!ours || !theirs || r.objects.isAncestor(theirs, ours)) return undefined;
  const merged = r.objects.merge(ours, theirs);
  if (!("tree" in merged)) return "conflict";
  const now = s.timestamp();
  const sha = r.objects.writeCommit({ tree: merged.tree, parents: [ours, theirs], author: { ...s.person(user), date: now },
    committer: { ...WEB_FLOW, date: now }, message: `Merge branch '${from}' into ${into}` });
  setRef(s, r, `refs/heads/${into}`, sha, { via: "merge" });
  return sha;
}

export const mergeRoutes: Route[] = [
  { method: "PUT", path: "/repos/{owner}/{repo}/pulls/{pull_number}/merge", auth: "installation", perm: ["contents"], handler: (ctx) => {
    const i = pullOf(ctx);
    if (!i) return { status: 404, body: errorBody(404, "Not Found") };
    const b = ctx.req.body as Record<string, unknown> | undefined;
    const text = (k: string) => (typeof b?.[k] === "string" ? (b[k] as string) : undefined);
    return mergePull(ctx.s, ctx.repo, i, { user: ctx.actor, method: text("merge_method") ?? "merge", sha: text("sha"), title: text("commit_title"), message: text("commit_message") });
  } },
];
