import { field, json, nodeId, notFound, paginate, str } from "./http.js";
import type { Json, SimResponse } from "./http.js";
import { chars } from "./issues.js";
import { headSha } from "./pulls.js";
import type { Ctx, Route } from "./router.js";
import { appJson } from "./shapes.js";
import type { Annotation, CheckRunRec, RepoRec, State } from "./state.js";

// Check runs: the gate a branch protection rule requires. Limits are
// GitHub's: output.summary and output.text at most 65,535 characters each, at
// most 50 annotations per request (more must be sent in later PATCHes, which
// append rather than replace).

export const MAX_OUTPUT = 65_535;
const STATUSES = ["queued", "in_progress", "completed", "waiting", "requested", "pending"];
const CONCLUSIONS = ["action_required", "cancelled", "failure", "neutral", "success", "skipped", "stale", "timed_out"];
const LEVELS = ["notice", "warning", "failure"];

function invalid(message: string): SimResponse {
  // GitHub's schema validator for the checks API answers with this shape.
  return { status: 422, body: { message: `Invalid request.\n\n${message}`, documentation_url: "https://docs.github.com/rest/checks/runs", status: "422" } };
}

export function checkRunJson(s: State, r: RepoRec, c: CheckRunRec): Json {
  const api = `${s.urls.api}/repos/${r.fullName}`;
  const pulls = [...r.issues.values()].filter((i) => i.pull && i.state === "open" && headSha(s, r, i) === c.headSha);
  const mini = { id: r.id, url: api, name: r.name };
  return {
    id: c.id, head_sha: c.headSha, node_id: nodeId("CheckRun", c.id), external_id: c.externalId, url: `${api}/check-runs/${c.id}`,
    html_url: `${s.urls.web}/${r.fullName}/runs/${c.id}`, details_url: c.detailsUrl ?? `${s.urls.web}/${r.fullName}/runs/${c.id}`,
    status: c.status, conclusion: c.conclusion, started_at: c.startedAt, completed_at: c.completedAt,
    output: { ...c.output, annotations_count: c.annotations.length, annotations_url: `${api}/check-runs/${c.id}/annotations` },
    name: c.name, check_suite: { id: c.suiteId }, app: appJson(s),
    pull_requests: pulls.map((i) => ({ url: `${api}/pulls/${i.number}`, id: i.pull!.id, number: i.number,
      head: { ref: i.pull!.headRef, sha: i.pull!.headSha, repo: mini }, base: { ref: i.pull!.baseRef, sha: i.pull!.baseSha, repo: mini } })),
  };
}

/** Applies create/update fields to a run; returns a 422 response on the first violation. */
function apply(s: State, c: CheckRunRec, body: unknown): SimResponse | undefined {
  const name = str(body, "name");
  if (name !== undefined) c.name = name;
  const status = str(body, "status");
  const conclusion = str(body, "conclusion");
  if (status !== undefined && !STATUSES.includes(status)) return invalid(`"status" must be one of ${STATUSES.join(", ")}.`);
  if (conclusion !== undefined && !CONCLUSIONS.includes(conclusion)) return invalid(`"conclusion" must be one of ${CONCLUSIONS.join(", ")}.`);
  if (status === "completed" && !conclusion && !c.conclusion) return invalid(`"conclusion" wasn't supplied.`);
  const output = field(body, "output") as Record<string, unknown> | undefined;
  if (output) {
    if (typeof output.title !== "string") return invalid(`"title" wasn't supplied.`);
    if (typeof output.summary !== "string") return invalid(`"summary" wasn't supplied.`);
    for (const key of ["summary", "text"] as const) {
      const v = output[key];
      if (typeof v === "string" && chars(v) > MAX_OUTPUT) return invalid(`Only ${MAX_OUTPUT} characters are allowed; ${chars(v)} were supplied.`);
    }
    const annotations = (output.annotations ?? []) as Annotation[];
    if (!Array.isArray(annotations)) return invalid(`"annotations" must be an array.`);
    if (annotations.length > 50) return invalid(`Only 50 annotations are allowed per request; ${annotations.length} were supplied.`);
    for (const a of annotations) {
      if (typeof a.path !== "string" || !Number.isInteger(a.start_line) || !Number.isInteger(a.end_line) || typeof a.message !== "string" || !LEVELS.includes(a.annotation_level)) {
        return invalid(`"annotations" items need path, start_line, end_line, annotation_level (${LEVELS.join("|")}) and message.`);
      }
    }
    c.output = { title: output.title, summary: output.summary, text: typeof output.text === "string" ? output.text : c.output.text };
    c.annotations.push(...annotations);
  }
  if (conclusion) { c.conclusion = conclusion; c.status = "completed"; }
  else if (status) c.status = status;
  if (c.status === "completed" && !c.completedAt) c.completedAt = str(body, "completed_at") ?? s.timestamp();
  const details = str(body, "details_url");
  if (details !== undefined) c.detailsUrl = details;
  const external = str(body, "external_id");
  if (external !== undefined) c.externalId = external;
  return undefined;
}

function createRun({ s, repo, req }: Ctx): SimResponse {
  const name = str(req.body, "name");
  const sha = str(req.body, "head_sha");
  if (!name) return invalid(`"name" wasn't supplied.`);
  if (!sha) return invalid(`"head_sha" wasn't supplied.`);
  if (repo.objects.typeOf(sha) !== "commit") return { status: 422, body: { message: `No commit found for SHA: ${sha}`, documentation_url: "https://docs.github.com/rest/checks/runs#create-a-check-run", status: "422" } };
  const suiteKey = `${repo.fullName.toLowerCase()}@${sha}`;
  if (!s.checkSuites.has(suiteKey)) s.checkSuites.set(suiteKey, s.nextId("suite"));
  const c: CheckRunRec = { id: s.nextId("check"), repo: repo.fullName.toLowerCase(), name, headSha: sha, status: "queued", conclusion: null,
    startedAt: str(req.body, "started_at") ?? s.timestamp(), completedAt: null, externalId: "", detailsUrl: null,
    output: { title: null, summary: null, text: null }, annotations: [], suiteId: s.checkSuites.get(suiteKey)! };
  const bad = apply(s, c, req.body);
  if (bad) return bad;
  s.checkRuns.set(c.id, c);
  return json(201, checkRunJson(s, repo, c));
}

function runOf(ctx: Ctx): CheckRunRec | undefined {
  const c = ctx.s.checkRuns.get(Number(ctx.params.check_run_id));
  return c && c.repo === ctx.repo.fullName.toLowerCase() ? c : undefined;
}

/** Runs for a commit; `filter=latest` (the default) keeps only the newest run per name. */
export function runsFor(s: State, r: RepoRec, sha: string, opts: { name?: string | null; status?: string | null; all?: boolean }): CheckRunRec[] {
  const key = r.fullName.toLowerCase();
  let runs = [...s.checkRuns.values()].filter((c) => c.repo === key && c.headSha === sha).sort((a, b) => b.id - a.id);
  if (!opts.all) runs = runs.filter((c, idx) => runs.findIndex((x) => x.name === c.name) === idx);
  return runs.filter((c) => (!opts.name || c.name === opts.name) && (!opts.status || c.status === opts.status));
}

const R = "/repos/{owner}/{repo}";
const checks = ["checks"];

export const checkRoutes: Route[] = [
  { method: "POST", path: `${R}/check-runs`, auth: "installation", perm: checks, handler: createRun },
  { method: "PATCH", path: `${R}/check-runs/{check_run_id}`, auth: "installation", perm: checks, handler: (ctx) => {
    const c = runOf(ctx);
    if (!c) return notFound();
    const copy: CheckRunRec = { ...c, output: { ...c.output }, annotations: [...c.annotations] };
    const bad = apply(ctx.s, copy, ctx.req.body);
    if (bad) return bad;
    Object.assign(c, copy);
    return json(200, checkRunJson(ctx.s, ctx.repo, c));
  } },
  { method: "GET", path: `${R}/check-runs/{check_run_id}`, auth: "installation", perm: checks, handler: (ctx) => {
    const c = runOf(ctx);
    return c ? json(200, checkRunJson(ctx.s, ctx.repo, c)) : notFound();
  } },
  { method: "GET", path: `${R}/check-runs/{check_run_id}/annotations`, auth: "installation", perm: checks, handler: (ctx) => {
    const c = runOf(ctx);
    if (!c) return notFound();
    const blob = (a: Annotation) => `${ctx.s.urls.web}/${ctx.repo.fullName}/blob/${c.headSha}/${a.path}`;
    return paginate(ctx.req, c.annotations, (a) => ({ path: a.path, start_line: a.start_line, end_line: a.end_line, start_column: a.start_column ?? null,
      end_column: a.end_column ?? null, annotation_level: a.annotation_level, title: a.title ?? null, message: a.message, raw_details: a.raw_details ?? null, blob_href: blob(a) }));
  } },
  { method: "GET", path: `${R}/commits/{ref}/check-runs`, auth: "installation", perm: checks, handler: ({ s, repo, req, params }) => {
    const sha = s.resolve(repo, params.ref);
    if (!sha) return { status: 422, body: { message: `No commit found for SHA: ${params.ref}`, documentation_url: "https://docs.github.com/rest/checks/runs#list-check-runs-for-a-git-reference", status: "422" } };
    const runs = runsFor(s, repo, sha, { name: req.query.get("check_name"), status: req.query.get("status"), all: req.query.get("filter") === "all" });
    const page = paginate(req, runs, (c) => checkRunJson(s, repo, c));
    return { ...page, body: { total_count: runs.length, check_runs: page.body } };
  } },
];
