import { nodeId } from "./http.js";
import type { Json } from "./http.js";
import type { InstallationRec, LabelRec, RepoRec, State } from "./state.js";

// JSON bodies shared by several API areas, with api.github.com's field names
// (see @octokit/openapi-types: simple-user, full-repository, integration,
// installation, label). URLs point at the simulator so clients that follow
// them stay on 127.0.0.1.

export function userJson(s: State, login: string): Json {
  const u = s.user(login);
  const api = `${s.urls.api}/users/${u.login}`;
  const isBot = u.type === "Bot";
  return {
    login: u.login,
    id: u.id,
    node_id: nodeId(isBot ? "Bot" : u.type === "Organization" ? "Organization" : "User", u.id),
    avatar_url: `${s.urls.web}/avatars/u/${u.id}?v=4`,
    gravatar_id: "",
    url: api,
    html_url: isBot ? `${s.urls.web}/apps/${u.login.replace(/\[bot\]$/, "")}` : `${s.urls.web}/${u.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: u.type,
    user_view_type: "public",
    site_admin: false,
  };
}

/** `GET /users/{username}` adds profile fields to the simple user. */
export function fullUserJson(s: State, login: string): Json {
  const u = s.user(login);
  return { ...(userJson(s, login) as object), name: u.name, email: u.email, company: null, blog: "", location: null, bio: null, public_repos: 0, followers: 0, following: 0, created_at: "2020-01-01T00:00:00Z", updated_at: "2020-01-01T00:00:00Z" };
}

export function repoJson(s: State, r: RepoRec): Json {
  const api = `${s.urls.api}/repos/${r.fullName}`;
  const html = `${s.urls.web}/${r.fullName}`;
  const host = new URL(s.urls.web || "http://127.0.0.1").host;
  const openIssues = [...r.issues.values()].filter((i) => i.state === "open").length;
  return {
    id: r.id, node_id: nodeId("Repository", r.id), name: r.name, full_name: r.fullName,
    private: r.private, owner: userJson(s, r.owner), html_url: html, description: null, fork: false, url: api,
    archive_url: `${api}/{archive_format}{/ref}`, blobs_url: `${api}/git/blobs{/sha}`, branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`, comments_url: `${api}/comments{/number}`, commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`, contents_url: `${api}/contents/{+path}`, deployments_url: `${api}/deployments`,
    git_commits_url: `${api}/git/commits{/sha}`, git_refs_url: `${api}/git/refs{/sha}`, git_tags_url: `${api}/git/tags{/sha}`,
    issue_comment_url: `${api}/issues/comments{/number}`, issues_url: `${api}/issues{/number}`, labels_url: `${api}/labels{/name}`,
    merges_url: `${api}/merges`, pulls_url: `${api}/pulls{/number}`, statuses_url: `${api}/statuses/{sha}`, trees_url: `${api}/git/trees{/sha}`,
    hooks_url: `${api}/hooks`, assignees_url: `${api}/assignees{/user}`, contributors_url: `${api}/contributors`, downloads_url: `${api}/downloads`,
    events_url: `${api}/events`, forks_url: `${api}/forks`, issue_events_url: `${api}/issues/events{/number}`, keys_url: `${api}/keys{/key_id}`,
    languages_url: `${api}/languages`, milestones_url: `${api}/milestones{/number}`, notifications_url: `${api}/notifications{?since,all,participating}`,
    releases_url: `${api}/releases{/id}`, stargazers_url: `${api}/stargazers`, subscribers_url: `${api}/subscribers`, subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`, teams_url: `${api}/teams`, subscribers_count: 0, network_count: 0, git_url: `git://${host}/${r.fullName}.git`, ssh_url: `git@${host}:${r.fullName}.git`,
    clone_url: `${html}.git`, svn_url: html, homepage: null, mirror_url: null, language: null, size: 0,
    forks_count: 0, stargazers_count: 0, watchers_count: 0, open_issues_count: openIssues, forks: 0, open_issues: openIssues, watchers: 0,
    default_branch: r.defaultBranch, is_template: false, topics: [], has_issues: true, has_projects: false, has_wiki: false,
    has_pages: false, has_downloads: true, has_discussions: false, archived: false, disabled: false,
    visibility: r.private ? "private" : "public", pushed_at: r.pushedAt, created_at: r.createdAt, updated_at: r.pushedAt,
    allow_merge_commit: true, allow_squash_merge: true, allow_rebase_merge: false, allow_auto_merge: false,
    delete_branch_on_merge: false, allow_forking: true, web_commit_signoff_required: false, license: null,
  };
}

export function appJson(s: State): Json {
  const owner = s.installations.size ? [...s.installations.values()][0].account : "converge-dev";
  return {
    id: s.appId, slug: s.appSlug, node_id: nodeId("App", s.appId), client_id: `Iv1.${s.appId.toString(16).padStart(16, "0")}`,
    owner: userJson(s, owner), name: s.appSlug, description: "", external_url: s.urls.web, html_url: `${s.urls.web}/apps/${s.appSlug}`,
    created_at: "2024-01-01T00:00:00Z", updated_at: "2024-01-01T00:00:00Z",
    permissions: { checks: "write", contents: "write", deployments: "write", issues: "write", metadata: "read", pull_requests: "write", members: "read" },
    events: ["check_run", "issue_comment", "pull_request", "pull_request_review", "push"], installations_count: s.installations.size,
  };
}

export function installationJson(s: State, i: InstallationRec): Json {
  const account = s.findUser(i.account);
  return {
    id: i.id, account: userJson(s, i.account), repository_selection: i.selection,
    access_tokens_url: `${s.urls.api}/app/installations/${i.id}/access_tokens`,
    repositories_url: `${s.urls.api}/installation/repositories`,
    html_url: `${s.urls.web}/organizations/${i.account}/settings/installations/${i.id}`,
    app_id: s.appId, app_slug: s.appSlug, target_id: account?.id ?? 0, target_type: account?.type === "User" ? "User" : "Organization",
    permissions: i.permissions, events: i.events, created_at: i.createdAt, updated_at: i.createdAt,
    single_file_name: null, has_multiple_single_files: false, single_file_paths: [], suspended_by: null, suspended_at: null,
  };
}

export function labelJson(s: State, r: RepoRec, l: LabelRec): Json {
  return { id: l.id, node_id: nodeId("Label", l.id), url: `${s.urls.api}/repos/${r.fullName}/labels/${encodeURIComponent(l.name)}`, name: l.name, color: l.color, default: false, description: l.description };
}

/** `performed_via_github_app` on things the app created with an installation token. */
export function viaAppJson(s: State, viaApp: boolean): Json {
  return viaApp ? appJson(s) : null;
}

/** Who a body author is relative to the repo, as GitHub's author_association says it. */
export function association(s: State, r: RepoRec, login: string): string {
  if (login.toLowerCase() === r.owner.toLowerCase()) return "OWNER";
  const p = r.permissions.get(login.toLowerCase());
  if (p === "admin" || p === "write") return "MEMBER";
  if (login.endsWith("[bot]")) return "NONE";
  return p === "read" ? "COLLABORATOR" : "CONTRIBUTOR";
}
