import { errorBody, field, fieldError, json, noContent, nodeId, notFound, paginate, str, validationFailed } from "./http.js";
import type { Json, SimResponse } from "./http.js";
import type { Ctx, Route } from "./router.js";
import { association, labelJson, userJson, viaAppJson } from "./shapes.js";
import type { CommentRec, IssueRec, LabelRec, RepoRec, State } from "./state.js";

// Issues, issue comments and labels. Pull requests are issues too (same
// number sequence, listed by GET /issues, commented on via /issues/{n}/comments),
// which is where an app's sticky PR comment lives — so the 65,536-character
// body limit is enforced here exactly as GitHub words it.

export const MAX_BODY = 65_536;

/** GitHub counts characters (code points), not UTF-16 units. */
export function chars(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function tooLong(resource: string, max = MAX_BODY): SimResponse {
  return validationFailed([{ resource, code: "custom", field: "body", message: `body is too long (maximum is ${max} characters)` }]);
}

const REACTIONS = { total_count: 0, "+1": 0, "-1": 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0 };

export function newIssue(s: State, r: RepoRec, fields: { title: string; body: string | null; user: string; viaApp: boolean; labels?: string[] }): IssueRec {
  const now = s.timestamp();
  const issue: IssueRec = {
    id: s.nextId("issue"), number: r.nextNumber++, title: fields.title, body: fields.body, user: fields.user, state: "open", stateReason: null,
    labels: [], assignees: [], createdAt: now, updatedAt: now, closedAt: null, closedBy: null, viaApp: fields.viaApp,
  };
  r.issues.set(issue.number, issue);
  for (const l of fields.labels ?? []) addLabel(s, r, issue, l);
  return issue;
}

export function ensureLabel(s: State, r: RepoRec, name: string): LabelRec {
  const key = name.toLowerCase();
  let l = r.labels.get(key);
  if (!l) { l = { id: s.nextId("label"), name, color: "ededed", description: null }; r.labels.set(key, l); }
  return l;
}

function addLabel(s: State, r: RepoRec, issue: IssueRec, name: string): void {
  const l = ensureLabel(s, r, name);
  if (!issue.labels.some((x) => x.toLowerCase() === l.name.toLowerCase())) issue.labels.push(l.name);
}

export function issueLabelsJson(s: State, r: RepoRec, issue: IssueRec): Json[] {
  return issue.labels.map((n) => labelJson(s, r, ensureLabel(s, r, n)));
}

export function issueJson(s: State, r: RepoRec, i: IssueRec): Json {
  const api = `${s.urls.api}/repos/${r.fullName}`;
  const kind = i.pull ? "pull" : "issues";
  const comments = [...s.comments.values()].filter((c) => c.repo === r.fullName.toLowerCase() && c.issue === i.number).length;
  return {
    id: i.id, node_id: nodeId(i.pull ? "PullRequest" : "Issue", i.id), url: `${api}/issues/${i.number}`, repository_url: api,
    labels_url: `${api}/issues/${i.number}/labels{/name}`, comments_url: `${api}/issues/${i.number}/comments`, events_url: `${api}/issues/${i.number}/events`,
    html_url: `${s.urls.web}/${r.fullName}/${kind}/${i.number}`, number: i.number, state: i.state, state_reason: i.stateReason, title: i.title, body: i.body,
    user: userJson(s, i.user), labels: issueLabelsJson(s, r, i), assignee: i.assignees[0] ? userJson(s, i.assignees[0]) : null,
    assignees: i.assignees.map((a) => userJson(s, a)), milestone: null, locked: false, active_lock_reason: null, comments,
    ...(i.pull ? { pull_request: { url: `${api}/pulls/${i.number}`, html_url: `${s.urls.web}/${r.fullName}/pull/${i.number}`, diff_url: `${s.urls.web}/${r.fullName}/pull/${i.number}.diff`, patch_url: `${s.urls.web}/${r.fullName}/pull/${i.number}.patch`, merged_at: i.pull.mergedAt }, draft: i.pull.draft } : {}),
    closed_at: i.closedAt, created_at: i.createdAt, updated_at: i.updatedAt, closed_by: i.closedBy ? userJson(s, i.closedBy) : null,
    author_association: association(s, r, i.user), performed_via_github_app: viaAppJson(s, i.viaApp),
    timeline_url: `${api}/issues/${i.number}/timeline`, reactions: { url: `${api}/issues/${i.number}/reactions`, ...REACTIONS },
  };
}

export function commentJson(s: State, r: RepoRec, c: CommentRec): Json {
  const api = `${s.urls.api}/repos/${r.fullName}`;
  const kind = r.issues.get(c.issue)?.pull ? "pull" : "issues";
  return {
    id: c.id, node_id: nodeId("IssueComment", c.id), url: `${api}/issues/comments/${c.id}`,
    html_url: `${s.urls.web}/${r.fullName}/${kind}/${c.issue}#issuecomment-${c.id}`, body: c.body, user: userJson(s, c.user),
    created_at: c.createdAt, updated_at: c.updatedAt, issue_url: `${api}/issues/${c.issue}`, author_association: association(s, r, c.user),
    performed_via_github_app: viaAppJson(s, c.viaApp), reactions: { url: `${api}/issues/comments/${c.id}/reactions`, ...REACTIONS },
  };
}

export function addComment(s: State, r: RepoRec, issue: IssueRec, body: string, user: string, viaApp: boolean): CommentRec {
  const now = s.timestamp();
  const c: CommentRec = { id: s.nextId("comment"), repo: r.fullName.toLowerCase(), issue: issue.number, body, user, createdAt: now, updatedAt: now, viaApp };
  s.comments.set(c.id, c);
  issue.updatedAt = now;
  return c;
}

function issueOf(ctx: Ctx): IssueRec | undefined {
  return ctx.repo.issues.get(Number(ctx.params.issue_number));
}

function commentOf(ctx: Ctx): CommentRec | undefined {
  const c = ctx.s.comments.get(Number(ctx.params.comment_id));
  return c && c.repo === ctx.repo.fullName.toLowerCase() ? c : undefined;
}

function listIssues({ s, repo, req }: Ctx): SimResponse {
  const state = req.query.get("state") ?? "open";
  const labels = (req.query.get("labels") ?? "").split(",").map((l) => l.trim().toLowerCase()).filter(Boolean);
  const creator = req.query.get("creator")?.toLowerCase();
  const asc = req.query.get("direction") === "asc";
  const items = [...repo.issues.values()]
    .filter((i) => state === "all" || i.state === state)
    .filter((i) => labels.every((l) => i.labels.some((x) => x.toLowerCase() === l)))
    .filter((i) => !creator || i.user.toLowerCase() === creator)
    .sort((a, b) => (asc ? a.number - b.number : b.number - a.number));
  return paginate(req, items, (i) => issueJson(s, repo, i));
}

function createIssue({ s, repo, req, actor, viaApp }: Ctx): SimResponse {
  const title = str(req.body, "title");
  const body = str(req.body, "body") ?? null;
  if (!title) return validationFailed([fieldError("Issue", "title", "missing_field")]);
  if (body && chars(body) > MAX_BODY) return tooLong("Issue");
  const labels = (field(req.body, "labels") as unknown[] | undefined)?.map((l) => (typeof l === "string" ? l : String((l as { name?: string }).name)));
  const issue = newIssue(s, repo, { title, body, user: actor, viaApp, labels });
  issue.assignees = ((field(req.body, "assignees") as string[] | undefined) ?? []).filter((a) => s.findUser(a));
  return json(201, issueJson(s, repo, issue), { location: `${s.urls.api}/repos/${repo.fullName}/issues/${issue.number}` });
}

export function setIssueState(s: State, r: RepoRec, issue: IssueRec, state: "open" | "closed", actor: string, reason?: string): void {
  if (issue.state === state) return;
  if (issue.pull && state === "closed") {
    // A closed PR stops following its branches: freeze the SHAs it had.
    issue.pull.headSha = r.refs.get(`refs/heads/${issue.pull.headRef}`) ?? issue.pull.headSha;
    issue.pull.baseSha = r.refs.get(`refs/heads/${issue.pull.baseRef}`) ?? issue.pull.baseSha;
  }
  const now = s.timestamp();
  issue.state = state;
  issue.updatedAt = now;
  issue.closedAt = state === "closed" ? now : null;
  issue.closedBy = state === "closed" ? actor : null;
  issue.stateReason = state === "closed" ? (issue.pull ? null : reason ?? "completed") : "reopened";
}

function updateIssue(ctx: Ctx): SimResponse {
  const { s, repo, req, actor } = ctx;
  const issue = issueOf(ctx);
  if (!issue) return notFound();
  const body = field(req.body, "body");
  if (typeof body === "string" && chars(body) > MAX_BODY) return tooLong("Issue");
  const state = str(req.body, "state");
  if (state && state !== "open" && state !== "closed") return validationFailed([fieldError("Issue", "state", "invalid")]);
  if (state === "open" && issue.pull?.merged) return validationFailed([{ resource: "Issue", code: "custom", field: "state", message: "state cannot be changed. The pull request has been merged." }]);
  const title = str(req.body, "title");
  if (title !== undefined) issue.title = title;
  if (body === null || typeof body === "string") issue.body = body;
  const labels = field(req.body, "labels");
  if (Array.isArray(labels)) { issue.labels = []; for (const l of labels) addLabel(s, repo, issue, typeof l === "string" ? l : String(l?.name)); }
  if (state) setIssueState(s, repo, issue, state as "open" | "closed", actor || issue.user, str(req.body, "state_reason"));
  issue.updatedAt = s.timestamp();
  return json(200, issueJson(s, repo, issue));
}

function createComment(ctx: Ctx): SimResponse {
  const { s, repo, req, actor, viaApp } = ctx;
  const issue = issueOf(ctx);
  if (!issue) return notFound();
  const body = str(req.body, "body");
  if (body === undefined || body === "") return validationFailed([fieldError("IssueComment", "body", "missing_field")]);
  if (chars(body) > MAX_BODY) return tooLong("IssueComment");
  const c = addComment(s, repo, issue, body, actor, viaApp);
  return json(201, commentJson(s, repo, c), { location: `${s.urls.api}/repos/${repo.fullName}/issues/comments/${c.id}` });
}

function updateComment(ctx: Ctx): SimResponse {
  const c = commentOf(ctx);
  if (!c) return notFound();
  const body = str(ctx.req.body, "body");
  if (body === undefined || body === "") return validationFailed([fieldError("IssueComment", "body", "missing_field")]);
  if (chars(body) > MAX_BODY) return tooLong("IssueComment");
  c.body = body;
  c.updatedAt = ctx.s.timestamp();
  return json(200, commentJson(ctx.s, ctx.repo, c));
}

/** Accepts `{labels: [...]}`, a bare array, and `{labels: [{name}]}` like GitHub. */
function labelNames(body: unknown): string[] | undefined {
  const list = Array.isArray(body) ? body : field(body, "labels");
  if (!Array.isArray(list)) return undefined;
  return list.map((l) => (typeof l === "string" ? l : String((l as { name?: string })?.name)));
}

function issueLabels(ctx: Ctx, replace: boolean): SimResponse {
  const issue = issueOf(ctx);
  if (!issue) return notFound();
  const names = labelNames(ctx.req.body);
  if (!names) return validationFailed([fieldError("Label", "labels", "missing_field")]);
  if (replace) issue.labels = [];
  for (const n of names) addLabel(ctx.s, ctx.repo, issue, n);
  return json(200, issueLabelsJson(ctx.s, ctx.repo, issue));
}

const R = "/repos/{owner}/{repo}";
const issues = ["issues", "pull_requests"];

export const issueRoutes: Route[] = [
  { method: "GET", path: `${R}/issues`, auth: "installation", perm: ["issues"], handler: listIssues },
  { method: "POST", path: `${R}/issues`, auth: "installation", perm: ["issues"], creates: true, handler: createIssue },
  // /issues/comments/{id} before /issues/{n}/… so "comments" is never taken for an issue number.
  { method: "GET", path: `${R}/issues/comments/{comment_id}`, auth: "installation", perm: issues, handler: (ctx) => {
    const c = commentOf(ctx);
    return c ? json(200, commentJson(ctx.s, ctx.repo, c)) : notFound();
  } },
  { method: "PATCH", path: `${R}/issues/comments/{comment_id}`, auth: "installation", perm: issues, handler: updateComment },
  { method: "DELETE", path: `${R}/issues/comments/{comment_id}`, auth: "installation", perm: issues, handler: (ctx) => {
    const c = commentOf(ctx);
    if (!c) return notFound();
    ctx.s.comments.delete(c.id);
    return noContent();
  } },
  { method: "GET", path: `${R}/issues/{issue_number}`, auth: "installation", perm: issues, handler: (ctx) => {
    const i = issueOf(ctx);
    return i ? json(200, issueJson(ctx.s, ctx.repo, i)) : notFound();
  } },
  { method: "PATCH", path: `${R}/issues/{issue_number}`, auth: "installation", perm: issues, handler: updateIssue },
  { method: "GET", path: `${R}/issues/{issue_number}/comments`, auth: "installation", perm: issues, handler: (ctx) => {
    const issue = issueOf(ctx);
    if (!issue) return notFound();
    const since = ctx.req.query.get("since");
    const key = ctx.repo.fullName.toLowerCase();
    const list = [...ctx.s.comments.values()].filter((c) => c.repo === key && c.issue === issue.number && (!since || c.updatedAt >= since));
    return paginate(ctx.req, list, (c) => commentJson(ctx.s, ctx.repo, c));
  } },
  { method: "POST", path: `${R}/issues/{issue_number}/comments`, auth: "installation", perm: issues, creates: true, handler: createComment },
  { method: "GET", path: `${R}/issues/{issue_number}/labels`, auth: "installation", perm: issues, handler: (ctx) => {
    const issue = issueOf(ctx);
    return issue ? paginate(ctx.req, issueLabelsJson(ctx.s, ctx.repo, issue)) : notFound();
  } },
  { method: "POST", path: `${R}/issues/{issue_number}/labels`, auth: "installation", perm: issues, handler: (ctx) => issueLabels(ctx, false) },
  { method: "PUT", path: `${R}/issues/{issue_number}/labels`, auth: "installation", perm: issues, handler: (ctx) => issueLabels(ctx, true) },
  { method: "DELETE", path: `${R}/issues/{issue_number}/labels/{name}`, auth: "installation", perm: issues, handler: (ctx) => {
    const issue = issueOf(ctx);
    if (!issue) return notFound();
    const idx = issue.labels.findIndex((l) => l.toLowerCase() === ctx.params.name.toLowerCase());
    if (idx < 0) return { status: 404, body: errorBody(404, "Label does not exist") };
    issue.labels.splice(idx, 1);
    return json(200, issueLabelsJson(ctx.s, ctx.repo, issue));
  } },
  { method: "GET", path: `${R}/labels`, auth: "installation", perm: issues, handler: ({ s, repo, req }) => paginate(req, [...repo.labels.values()], (l) => labelJson(s, repo, l)) },
  { method: "GET", path: `${R}/labels/{name}`, auth: "installation", perm: issues, handler: ({ s, repo, params }) => {
    const l = repo.labels.get(params.name.toLowerCase());
    return l ? json(200, labelJson(s, repo, l)) : notFound();
  } },
  { method: "POST", path: `${R}/labels`, auth: "installation", perm: issues, handler: ({ s, repo, req }) => {
    const name = str(req.body, "name");
    if (!name) return validationFailed([fieldError("Label", "name", "missing_field")]);
    if (repo.labels.has(name.toLowerCase())) return validationFailed([fieldError("Label", "name", "already_exists")]);
    const l = ensureLabel(s, repo, name);
    l.color = (str(req.body, "color") ?? "ededed").replace(/^#/, "");
    l.description = str(req.body, "description") ?? null;
    return json(201, labelJson(s, repo, l));
  } },
];
