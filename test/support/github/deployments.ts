import { errorBody, field, fieldError, json, nodeId, notFound, paginate, str, validationFailed } from "./http.js";
import type { Json, SimResponse } from "./http.js";
import { chars } from "./issues.js";
import { mergeBranch } from "./merge.js";
import { runsFor } from "./checks.js";
import type { Ctx, Route } from "./router.js";
import { userJson, viaAppJson } from "./shapes.js";
import type { DeploymentRec, DeploymentStatusRec, RepoRec, State } from "./state.js";

// Deployments and their statuses, with GitHub's surprising defaults kept on
// purpose: `auto_merge` defaults to true (merges the default branch into a
// stale ref and answers 202 without a deployment) and `required_contexts`
// defaults to "every check must be green" (409) — an app that deploys a
// reviewed SHA has to opt out of both, and tests should see it if it doesn't.

const STATES = ["error", "failure", "inactive", "in_progress", "queued", "pending", "success"];

export function deploymentJson(s: State, r: RepoRec, d: DeploymentRec): Json {
  const api = `${s.urls.api}/repos/${r.fullName}`;
  return {
    url: `${api}/deployments/${d.id}`, id: d.id, node_id: nodeId("Deployment", d.id), sha: d.sha, ref: d.ref, task: d.task, payload: d.payload,
    original_environment: d.originalEnvironment, environment: d.environment, description: d.description, creator: userJson(s, d.creator),
    created_at: d.createdAt, updated_at: d.updatedAt, statuses_url: `${api}/deployments/${d.id}/statuses`, repository_url: api,
    transient_environment: d.transient, production_environment: d.production, performed_via_github_app: viaAppJson(s, d.creator.endsWith("[bot]")),
  };
}

function statusJson(s: State, r: RepoRec, d: DeploymentRec, st: DeploymentStatusRec): Json {
  const api = `${s.urls.api}/repos/${r.fullName}`;
  return {
    url: `${api}/deployments/${d.id}/statuses/${st.id}`, id: st.id, node_id: nodeId("DeploymentStatus", st.id), state: st.state, creator: userJson(s, st.creator),
    description: st.description, environment: st.environment, target_url: st.logUrl, created_at: st.createdAt, updated_at: st.createdAt,
    deployment_url: `${api}/deployments/${d.id}`, repository_url: api, environment_url: st.environmentUrl, log_url: st.logUrl,
    performed_via_github_app: viaAppJson(s, st.creator.endsWith("[bot]")),
  };
}

/** Contexts that are not green for `sha`; `required` undefined means "all of them". */
function failingContexts(s: State, r: RepoRec, sha: string, required: string[] | undefined): { context: string; state: string }[] {
  const runs = runsFor(s, r, sha, {});
  const state = (name: string) => {
    const c = runs.find((x) => x.name === name);
    if (!c) return "missing";
    return c.status !== "completed" ? "pending" : ["success", "neutral", "skipped"].includes(c.conclusion ?? "") ? "success" : "failure";
  };
  const names = required ?? runs.map((c) => c.name);
  return names.map((context) => ({ context, state: state(context) })).filter((x) => x.state !== "success");
}

function createDeployment({ s, repo, req, actor }: Ctx): SimResponse {
  const ref = str(req.body, "ref");
  if (!ref) return validationFailed([fieldError("Deployment", "ref", "missing_field")]);
  let sha = s.resolve(repo, ref);
  if (!sha) return { status: 422, body: errorBody(422, `No ref found for: ${ref}`) };
  const isBranch = repo.refs.has(`refs/heads/${ref}`);
  if (field(req.body, "auto_merge") !== false && isBranch && ref !== repo.defaultBranch) {
    const merged = mergeBranch(s, repo, ref, repo.defaultBranch, actor || repo.owner);
    if (merged === "conflict") return { status: 409, body: errorBody(409, `Conflict merging ${repo.defaultBranch} into ${ref}.`) };
    if (merged) return json(202, { message: `Auto-merged ${repo.defaultBranch} into ${ref} on deployment.` });
  }
  sha = s.resolve(repo, ref)!;
  const required = field(req.body, "required_contexts");
  const failing = failingContexts(s, repo, sha, Array.isArray(required) ? (required as string[]) : undefined);
  if (failing.length) {
    return { status: 409, body: errorBody(409, `Conflict: Commit status checks failed for ${ref}.`, { errors: [{ contexts: failing, resource: "Deployment", field: "required_contexts", code: "invalid" }] }) };
  }
  const environment = str(req.body, "environment") ?? "production";
  const now = s.timestamp();
  const d: DeploymentRec = {
    id: s.nextId("deployment"), repo: repo.fullName.toLowerCase(), sha, ref, task: str(req.body, "task") ?? "deploy", payload: field(req.body, "payload") ?? {},
    environment, originalEnvironment: environment, description: str(req.body, "description") ?? null, creator: actor, createdAt: now, updatedAt: now,
    transient: field(req.body, "transient_environment") === true,
    production: typeof field(req.body, "production_environment") === "boolean" ? (field(req.body, "production_environment") as boolean) : environment === "production",
    statuses: [],
  };
  s.deployments.set(d.id, d);
  return json(201, deploymentJson(s, repo, d));
}

function deploymentOf(ctx: Ctx): DeploymentRec | undefined {
  const d = ctx.s.deployments.get(Number(ctx.params.deployment_id));
  return d && d.repo === ctx.repo.fullName.toLowerCase() ? d : undefined;
}

function createStatus(ctx: Ctx): SimResponse {
  const { s, repo, req, actor } = ctx;
  const d = deploymentOf(ctx);
  if (!d) return notFound();
  const state = str(req.body, "state");
  if (!state || !STATES.includes(state)) return validationFailed([fieldError("DeploymentStatus", "state", state ? "invalid" : "missing_field")]);
  const description = str(req.body, "description") ?? "";
  if (chars(description) > 140) return validationFailed([{ resource: "DeploymentStatus", code: "custom", field: "description", message: "description is too long (maximum is 140 characters)" }]);
  const environment = str(req.body, "environment") ?? d.environment;
  const st: DeploymentStatusRec = { id: s.nextId("status"), state, description, logUrl: str(req.body, "log_url") ?? str(req.body, "target_url") ?? "",
    environmentUrl: str(req.body, "environment_url") ?? "", environment, creator: actor, createdAt: s.timestamp() };
  d.statuses.push(st);
  d.environment = environment;
  d.updatedAt = st.createdAt;
  // auto_inactive (default true): earlier non-transient, non-production deployments to this environment go inactive.
  if (state === "success" && field(req.body, "auto_inactive") !== false) {
    for (const other of s.deployments.values()) {
      const last = other.statuses[other.statuses.length - 1];
      if (other.id === d.id || other.repo !== d.repo || other.environment !== environment || other.transient || other.production || last?.state !== "success") continue;
      other.statuses.push({ ...last, id: s.nextId("status"), state: "inactive", description: "", creator: actor, createdAt: st.createdAt });
    }
  }
  return json(201, statusJson(s, repo, d, st));
}

const R = "/repos/{owner}/{repo}/deployments";
const deployments = ["deployments"];

export const deploymentRoutes: Route[] = [
  { method: "POST", path: R, auth: "installation", perm: deployments, handler: createDeployment },
  { method: "GET", path: R, auth: "installation", perm: deployments, handler: ({ s, repo, req }) => {
    const q = (k: string) => req.query.get(k);
    const key = repo.fullName.toLowerCase();
    const list = [...s.deployments.values()].filter((d) => d.repo === key && (!q("sha") || d.sha === q("sha")) && (!q("ref") || d.ref === q("ref"))
      && (!q("task") || d.task === q("task")) && (!q("environment") || d.environment === q("environment"))).sort((a, b) => b.id - a.id);
    return paginate(req, list, (d) => deploymentJson(s, repo, d));
  } },
  { method: "GET", path: `${R}/{deployment_id}`, auth: "installation", perm: deployments, handler: (ctx) => {
    const d = deploymentOf(ctx);
    return d ? json(200, deploymentJson(ctx.s, ctx.repo, d)) : notFound();
  } },
  { method: "POST", path: `${R}/{deployment_id}/statuses`, auth: "installation", perm: deployments, handler: createStatus },
  { method: "GET", path: `${R}/{deployment_id}/statuses`, auth: "installation", perm: deployments, handler: (ctx) => {
    const d = deploymentOf(ctx);
    return d ? paginate(ctx.req, [...d.statuses].reverse(), (st) => statusJson(ctx.s, ctx.repo, d, st)) : notFound();
  } },
  { method: "GET", path: `${R}/{deployment_id}/statuses/{status_id}`, auth: "installation", perm: deployments, handler: (ctx) => {
    const d = deploymentOf(ctx);
    const st = d?.statuses.find((x) => x.id === Number(ctx.params.status_id));
    return d && st ? json(200, statusJson(ctx.s, ctx.repo, d, st)) : notFound();
  } },
];
