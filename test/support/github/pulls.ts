import { restCommitJson, fileJson } from "./commits.js";
import { diffTrees } from "./diff.js";
import { errorBody, field, fieldError, json, nodeId, notFound, paginate, str, validationFailed } from "./http.js";
import type { Json, SimResponse } from "./http.js";
import { chars, issueLabelsJson, MAX_BODY, newIssue, setIssueState } from "./issues.js";
import type { Ctx, Route } from "./router.js";
import { association, repoJson, userJson } from "./shapes.js";
import type { IssueRec, PullRec, RepoRec, ReviewRec, State } from "./state.js";

// Pull requests and reviews. An open PR's head follows its head branch, so a
// test that pushes with `sim.commit(repo, "feature", …)` moves the PR like a
// real push does; reviews pin the commit they were made on (`commit_id`),
// which is what "approved on the current head" policies must check.

export function headSha(s: State, r: RepoRec, i: IssueRec): string {
  const p = i.pull!;
  if (i.state === "open") {
    p.headSha = r.refs.get(`refs/heads/${p.headRef}`) ?? p.headSha;
    p.baseSha = r.refs.get(`refs/heads/${p.baseRef}`) ?? p.baseSha;
  }
  return p.headSha;
}

/** Trial merge of head into base; false when files conflict. */
export function isMergeable(s: State, r: RepoRec, i: IssueRec): boolean {
  const p = i.pull!;
  if (p.mergeable !== undefined) return p.mergeable;
  return "tree" in r.objects.merge(p.baseSha, headSha(s, r, i));
}

function branchJson(s: State, r: RepoRec, ref: string, sha: string): Json {
  return { label: `${r.owner}:${ref}`, ref, sha, user: userJson(s, r.owner), repo: repoJson(s, r) };
}

export function pullFiles(s: State, r: RepoRec, i: IssueRec) {
  const head = headSha(s, r, i);
  const base = r.objects.mergeBase(i.pull!.baseSha, head);
  return diffTrees(r.objects, base ? r.objects.commit(base)!.tree : undefined, r.objects.commit(head)!.tree);
}

export function pullCommits(s: State, r: RepoRec, i: IssueRec): string[] {
  return r.objects.commitsBetween(i.pull!.baseSha, headSha(s, r, i));
}

/** pull-request (full) or pull-request-simple (lists) as GitHub returns them. */
export function pullJson(s: State, r: RepoRec, i: IssueRec, full: boolean): Json {
  const p = i.pull!;
  const head = headSha(s, r, i);
  const api = `${s.urls.api}/repos/${r.fullName}`;
  const html = `${s.urls.web}/${r.fullName}/pull/${i.number}`;
  const link = (href: string) => ({ href });
  const simple = {
    url: `${api}/pulls/${i.number}`, id: p.id, node_id: nodeId("PullRequest", p.id), html_url: html, diff_url: `${html}.diff`, patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${i.number}`, number: i.number, state: i.state, locked: false, title: i.title, user: userJson(s, i.user), body: i.body,
    created_at: i.createdAt, updated_at: i.updatedAt, closed_at: i.closedAt, merged_at: p.mergedAt, merge_commit_sha: p.mergeCommitSha,
    assignee: i.assignees[0] ? userJson(s, i.assignees[0]) : null, assignees: i.assignees.map((a) => userJson(s, a)),
    requested_reviewers: p.requestedReviewers.map((u) => userJson(s, u)),
    requested_teams: p.requestedTeams.map((t) => ({ slug: t, name: t, id: s.team(r.owner, t)?.id ?? 0 })),
    labels: issueLabelsJson(s, r, i), milestone: null, draft: p.draft,
    commits_url: `${api}/pulls/${i.number}/commits`, review_comments_url: `${api}/pulls/${i.number}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`, comments_url: `${api}/issues/${i.number}/comments`, statuses_url: `${api}/statuses/${head}`,
    head: branchJson(s, r, p.headRef, head), base: branchJson(s, r, p.baseRef, p.baseSha),
    _links: { self: link(`${api}/pulls/${i.number}`), html: link(html), issue: link(`${api}/issues/${i.number}`), comments: link(`${api}/issues/${i.number}/comments`),
      review_comments: link(`${api}/pulls/${i.number}/comments`), review_comment: link(`${api}/pulls/comments{/number}`), commits: link(`${api}/pulls/${i.number}/commits`), statuses: link(`${api}/statuses/${head}`) },
    author_association: association(s, r, i.user), auto_merge: null, active_lock_reason: null,
  };
  if (!full) return simple;
  const files = pullFiles(s, r, i);
  const mergeable = i.state === "open" ? isMergeable(s, r, i) : null;
  return {
    ...simple, merged: p.merged, mergeable, rebaseable: mergeable, mergeable_state: mergeable === null ? "unknown" : mergeable ? "clean" : "dirty",
    merged_by: p.mergedBy ? userJson(s, p.mergedBy) : null,
    comments: [...s.comments.values()].filter((c) => c.repo === r.fullName.toLowerCase() && c.issue === i.number).length,
    review_comments: 0, maintainer_can_modify: false, commits: pullCommits(s, r, i).length,
    additions: files.reduce((n, f) => n + f.additions, 0), deletions: files.reduce((n, f) => n + f.deletions, 0), changed_files: files.length,
  };
}

export function reviewJson(s: State, r: RepoRec, rv: ReviewRec): Json {
  const html = `${s.urls.web}/${r.fullName}/pull/${rv.number}#pullrequestreview-${rv.id}`;
  const pr = `${s.urls.api}/repos/${r.fullName}/pulls/${rv.number}`;
  return {
    id: rv.id, node_id: nodeId("PullRequestReview", rv.id), user: userJson(s, rv.user), body: rv.body, state: rv.state, html_url: html,
    pull_request_url: pr, author_association: association(s, r, rv.user), _links: { html: { href: html }, pull_request: { href: pr } },
    submitted_at: rv.submittedAt, commit_id: rv.commitId,
  };
}

export function openPullRequest(s: State, r: RepoRec, f: { head: string; base: string; title: string; body: string | null; user: string; draft?: boolean; viaApp: boolean }): IssueRec {
  const head = r.refs.get(`refs/heads/${f.head}`)!;
  const base = r.refs.get(`refs/heads/${f.base}`)!;
  const issue = newIssue(s, r, { title: f.title, body: f.body, user: f.user, viaApp: f.viaApp });
  const pull: PullRec = { id: s.nextId("pull"), headRef: f.head, headSha: head, baseRef: f.base, baseSha: base, draft: !!f.draft, merged: false,
    mergedAt: null, mergedBy: null, mergeCommitSha: null, requestedReviewers: [], requestedTeams: [] };
  issue.pull = pull;
  return issue;
}

/** Validation GitHub applies to a new PR; returns the 422 or undefined when it may be opened. */
export function checkNewPull(s: State, r: RepoRec, head: string, base: string): SimResponse | undefined {
  const headSha = r.refs.get(`refs/heads/${head}`);
  const baseSha = r.refs.get(`refs/heads/${base}`);
  if (!headSha) return validationFailed([fieldError("PullRequest", "head", "invalid")]);
  if (!baseSha) return validationFailed([fieldError("PullRequest", "base", "invalid")]);
  const dup = [...r.issues.values()].find((i) => i.pull && i.state === "open" && i.pull.headRef === head && i.pull.baseRef === base);
  if (dup) return validationFailed([{ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${r.owner}:${head}.` }]);
  if (!r.objects.commitsBetween(baseSha, headSha).length) return validationFailed([{ resource: "PullRequest", code: "custom", message: `No commits between ${base} and ${head}` }]);
  return undefined;
}

export function pullOf(ctx: Ctx): IssueRec | undefined {
  const i = ctx.repo.issues.get(Number(ctx.params.pull_number));
  return i?.pull ? i : undefined;
}

function createPull({ s, repo, req, actor, viaApp }: Ctx): SimResponse {
  const title = str(req.body, "title");
  const base = str(req.body, "base");
  const head = str(req.body, "head")?.replace(new RegExp(`^${repo.owner}:`, "i"), "");
  const body = str(req.body, "body") ?? null;
  if (!title || !base || !head) return validationFailed([fieldError("PullRequest", !title ? "title" : !base ? "base" : "head", "missing_field")]);
  if (body && chars(body) > MAX_BODY) return validationFailed([{ resource: "PullRequest", code: "custom", field: "body", message: `body is too long (maximum is ${MAX_BODY} characters)` }]);
  const invalid = checkNewPull(s, repo, head, base);
  if (invalid) return invalid;
  const issue = openPullRequest(s, repo, { head, base, title, body, user: actor, draft: field(req.body, "draft") === true, viaApp });
  return json(201, pullJson(s, repo, issue, true), { location: `${s.urls.api}/repos/${repo.fullName}/pulls/${issue.number}` });
}

function updatePull(ctx: Ctx): SimResponse {
  const { s, repo, req, actor } = ctx;
  const i = pullOf(ctx);
  if (!i) return notFound();
  const state = str(req.body, "state");
  const body = field(req.body, "body");
  if (typeof body === "string" && chars(body) > MAX_BODY) return validationFailed([{ resource: "PullRequest", code: "custom", field: "body", message: `body is too long (maximum is ${MAX_BODY} characters)` }]);
  if (state && state !== "open" && state !== "closed") return validationFailed([fieldError("PullRequest", "state", "invalid")]);
  if (state === "open" && i.pull!.merged) return validationFailed([{ resource: "PullRequest", code: "custom", field: "state", message: "state cannot be changed. The pull request has been merged." }]);
  const title = str(req.body, "title");
  if (title !== undefined) i.title = title;
  if (typeof body === "string" || body === null) i.body = body;
  const base = str(req.body, "base");
  if (base) {
    if (!repo.refs.has(`refs/heads/${base}`)) return validationFailed([fieldError("PullRequest", "base", "invalid")]);
    i.pull!.baseRef = base;
  }
  if (state) setIssueState(s, repo, i, state as "open" | "closed", actor);
  i.updatedAt = s.timestamp();
  return json(200, pullJson(s, repo, i, true));
}

function requestReviewers(ctx: Ctx, add: boolean): SimResponse {
  const { s, repo, req } = ctx;
  const i = pullOf(ctx);
  if (!i) return notFound();
  const users = (field(req.body, "reviewers") as string[] | undefined) ?? [];
  const teams = (field(req.body, "team_reviewers") as string[] | undefined) ?? [];
  const p = i.pull!;
  if (add) {
    if (users.some((u) => u.toLowerCase() === i.user.toLowerCase())) return validationFailed([], "Review cannot be requested from pull request author.");
    const outsider = users.some((u) => !s.findUser(u) || (repo.permissions.get(u.toLowerCase()) ?? "none") === "none") || teams.some((t) => !s.team(repo.owner, t));
    if (outsider) return { status: 422, body: errorBody(422, `Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ${repo.fullName} repository.`) };
    for (const u of users) if (!p.requestedReviewers.includes(u)) p.requestedReviewers.push(u);
    for (const t of teams) if (!p.requestedTeams.includes(t)) p.requestedTeams.push(t);
  } else {
    p.requestedReviewers = p.requestedReviewers.filter((u) => !users.includes(u));
    p.requestedTeams = p.requestedTeams.filter((t) => !teams.includes(t));
  }
  return json(add ? 201 : 200, pullJson(s, repo, i, false));
}

/** PRs a commit belongs to: its head, its merge commit, or any commit on it. */
function pullsForCommit({ s, repo, req, params }: Ctx): SimResponse {
  const sha = s.resolve(repo, params.commit_sha);
  if (!sha) return { status: 422, body: errorBody(422, `No commit found for SHA: ${params.commit_sha}`) };
  const hits = [...repo.issues.values()].filter((i) => i.pull && (headSha(s, repo, i) === sha || i.pull.mergeCommitSha === sha || pullCommits(s, repo, i).includes(sha)));
  return paginate(req, hits, (i) => pullJson(s, repo, i, false));
}

const R = "/repos/{owner}/{repo}";
const pulls = ["pull_requests"];

export const pullRoutes: Route[] = [
  { method: "GET", path: `${R}/pulls`, auth: "installation", perm: pulls, handler: ({ s, repo, req }) => {
    const state = req.query.get("state") ?? "open";
    const head = req.query.get("head");
    const base = req.query.get("base");
    const asc = req.query.get("direction") === "asc";
    const list = [...repo.issues.values()].filter((i) => i.pull && (state === "all" || i.state === state)
      && (!head || `${repo.owner}:${i.pull.headRef}`.toLowerCase() === head.toLowerCase()) && (!base || i.pull.baseRef === base))
      .sort((a, b) => (asc ? a.number - b.number : b.number - a.number));
    return paginate(req, list, (i) => pullJson(s, repo, i, false));
  } },
  { method: "POST", path: `${R}/pulls`, auth: "installation", perm: pulls, creates: true, handler: createPull },
  { method: "GET", path: `${R}/pulls/{pull_number}`, auth: "installation", perm: pulls, handler: (ctx) => {
    const i = pullOf(ctx);
    return i ? json(200, pullJson(ctx.s, ctx.repo, i, true)) : notFound();
  } },
  { method: "PATCH", path: `${R}/pulls/{pull_number}`, auth: "installation", perm: pulls, handler: updatePull },
  { method: "GET", path: `${R}/pulls/{pull_number}/files`, auth: "installation", perm: pulls, handler: (ctx) => {
    const i = pullOf(ctx);
    if (!i) return notFound();
    const head = headSha(ctx.s, ctx.repo, i);
    // GitHub lists at most 3,000 files for a pull request.
    return paginate(ctx.req, pullFiles(ctx.s, ctx.repo, i).slice(0, 3000), (f) => fileJson(ctx.s, ctx.repo, head, f));
  } },
  { method: "GET", path: `${R}/pulls/{pull_number}/commits`, auth: "installation", perm: pulls, handler: (ctx) => {
    const i = pullOf(ctx);
    return i ? paginate(ctx.req, pullCommits(ctx.s, ctx.repo, i).slice(0, 250), (c) => restCommitJson(ctx.s, ctx.repo, c, false)) : notFound();
  } },
  { method: "GET", path: `${R}/pulls/{pull_number}/reviews`, auth: "installation", perm: pulls, handler: (ctx) => {
    const i = pullOf(ctx);
    if (!i) return notFound();
    const key = ctx.repo.fullName.toLowerCase();
    return paginate(ctx.req, ctx.s.reviews.filter((r) => r.repo === key && r.number === i.number), (r) => reviewJson(ctx.s, ctx.repo, r));
  } },
  { method: "POST", path: `${R}/pulls/{pull_number}/requested_reviewers`, auth: "installation", perm: pulls, handler: (ctx) => requestReviewers(ctx, true) },
  { method: "DELETE", path: `${R}/pulls/{pull_number}/requested_reviewers`, auth: "installation", perm: pulls, handler: (ctx) => requestReviewers(ctx, false) },
  { method: "GET", path: `${R}/commits/{commit_sha}/pulls`, auth: "installation", perm: ["pull_requests", "contents"], handler: pullsForCommit },
];
