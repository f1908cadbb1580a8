import { json, nodeId, notFound, paginate } from "./http.js";
import type { Route } from "./router.js";
import { fullUserJson, repoJson, userJson } from "./shapes.js";
import type { Perm, RepoRec, State, TeamRec } from "./state.js";

// Who may approve: org teams, team membership, collaborator permission and
// user lookups, plus GET /repos/{owner}/{repo}. A non-member is a 404 (not
// `state: "inactive"`), which is what policy code must treat as "no".

/** Effective permission: explicit grant, else admin for the owner, else read on public repos. */
export function permissionOf(r: RepoRec, login: string): Perm {
  const explicit = r.permissions.get(login.toLowerCase());
  if (explicit) return explicit;
  if (login.toLowerCase() === r.owner.toLowerCase()) return "admin";
  return r.private ? "none" : "read";
}

function teamJson(s: State, t: TeamRec): Record<string, unknown> {
  const api = `${s.urls.api}/organizations/${s.user(t.org).id}/team/${t.id}`;
  return { id: t.id, node_id: nodeId("Team", t.id), url: api, html_url: `${s.urls.web}/orgs/${t.org}/teams/${t.slug}`, name: t.name, slug: t.slug,
    description: null, privacy: "closed", notification_setting: "notifications_enabled", permission: "pull", members_url: `${api}/members{/member}`,
    repositories_url: `${api}/repos`, parent: null };
}

const T = "/orgs/{org}/teams/{team_slug}";

export const teamRoutes: Route[] = [
  { method: "GET", path: T, auth: "installation", perm: ["members"], handler: ({ s, params }) => {
    const t = s.team(params.org, params.team_slug);
    return t ? json(200, { ...teamJson(s, t), members_count: t.members.size, repos_count: 0, organization: userJson(s, t.org) }) : notFound();
  } },
  { method: "GET", path: `${T}/memberships/{username}`, auth: "installation", perm: ["members"], handler: ({ s, params }) => {
    const t = s.team(params.org, params.team_slug);
    const role = t?.members.get(params.username.toLowerCase());
    if (!t || !role) return notFound();
    return json(200, { url: `${s.urls.api}/organizations/${s.user(t.org).id}/team/${t.id}/memberships/${params.username}`, role, state: "active" });
  } },
  { method: "GET", path: `${T}/members`, auth: "installation", perm: ["members"], handler: ({ s, params, req }) => {
    const t = s.team(params.org, params.team_slug);
    if (!t) return notFound();
    const role = req.query.get("role") ?? "all";
    const members = [...t.members].filter(([, r]) => role === "all" || r === role).map(([login]) => s.findUser(login)!.login);
    return paginate(req, members, (login) => userJson(s, login));
  } },
  { method: "GET", path: "/users/{username}", auth: "installation", handler: ({ s, params }) =>
    s.findUser(params.username) ? json(200, fullUserJson(s, s.findUser(params.username)!.login)) : notFound() },
  { method: "GET", path: "/repos/{owner}/{repo}", auth: "installation", perm: ["metadata"], handler: ({ s, repo }) => json(200, repoJson(s, repo)) },
  { method: "GET", path: "/repos/{owner}/{repo}/collaborators/{username}/permission", auth: "installation", perm: ["metadata"], handler: ({ s, repo, params }) => {
    const u = s.findUser(params.username);
    if (!u) return notFound();
    const permission = permissionOf(repo, u.login);
    const perms = { admin: permission === "admin", maintain: permission === "admin", push: permission === "admin" || permission === "write", triage: permission !== "none" && permission !== "read", pull: permission !== "none" };
    return json(200, { permission, role_name: permission === "none" ? "none" : permission, user: { ...(userJson(s, u.login) as object), permissions: perms, role_name: permission } });
  } },
];
