import { diffTrees } from "./diff.js";
import type { FileChange } from "./diff.js";
import { json, nodeId, notFound, paginate } from "./http.js";
import type { Json } from "./http.js";
import type { Route } from "./router.js";
import { userJson } from "./shapes.js";
import type { RepoRec, State } from "./state.js";

// Commits API (the "REST commit" with author users, parents, stats and
// files), compare (three-dot, from the merge base, as GitHub does) and
// branches — what an app reads to learn what a push or PR changed.

export function fileJson(s: State, r: RepoRec, ref: string, f: FileChange): Json {
  const enc = f.filename.split("/").map(encodeURIComponent).join("/");
  return {
    sha: f.sha, filename: f.filename, status: f.status, additions: f.additions, deletions: f.deletions, changes: f.additions + f.deletions,
    blob_url: `${s.urls.web}/${r.fullName}/blob/${ref}/${enc}`, raw_url: `${s.urls.web}/${r.fullName}/raw/${ref}/${enc}`,
    contents_url: `${s.urls.api}/repos/${r.fullName}/contents/${enc}?ref=${ref}`,
    ...(f.patch !== undefined ? { patch: f.patch } : {}), ...(f.previousFilename ? { previous_filename: f.previousFilename } : {}),
  };
}

/** Changes a commit introduced relative to its first parent (a root commit adds everything). */
export function commitChanges(r: RepoRec, sha: string): FileChange[] {
  const c = r.objects.commit(sha)!;
  const parentTree = c.parents.length ? r.objects.commit(c.parents[0])!.tree : undefined;
  return diffTrees(r.objects, parentTree, c.tree);
}

export function restCommitJson(s: State, r: RepoRec, sha: string, withFiles: boolean): Json {
  const c = r.objects.commit(sha)!;
  const api = `${s.urls.api}/repos/${r.fullName}`;
  const web = `${s.urls.web}/${r.fullName}`;
  const who = (email: string) => { const u = s.userByEmail(email); return u ? userJson(s, u.login) : null; };
  const files = withFiles ? commitChanges(r, sha).slice(0, 3000) : [];
  const additions = files.reduce((n, f) => n + f.additions, 0);
  const deletions = files.reduce((n, f) => n + f.deletions, 0);
  return {
    sha, node_id: nodeId("Commit", sha),
    commit: {
      author: c.author, committer: c.committer, message: c.message, tree: { sha: c.tree, url: `${api}/git/trees/${c.tree}` },
      url: `${api}/git/commits/${sha}`, comment_count: 0,
      verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
    },
    url: `${api}/commits/${sha}`, html_url: `${web}/commit/${sha}`, comments_url: `${api}/commits/${sha}/comments`,
    author: who(c.author.email), committer: who(c.committer.email),
    parents: c.parents.map((p) => ({ sha: p, url: `${api}/commits/${p}`, html_url: `${web}/commit/${p}` })),
    ...(withFiles ? { stats: { total: additions + deletions, additions, deletions }, files: files.map((f) => fileJson(s, r, sha, f)) } : {}),
  };
}

function compare(s: State, r: RepoRec, basehead: string): Json | undefined {
  const sep = basehead.indexOf("...");
  if (sep < 0) return undefined;
  const [baseRef, headRef] = [basehead.slice(0, sep), basehead.slice(sep + 3)];
  const base = s.resolve(r, baseRef);
  const head = s.resolve(r, headRef);
  if (!base || !head) return undefined;
  const mergeBase = r.objects.mergeBase(base, head);
  const ahead = r.objects.commitsBetween(base, head);
  const behind = r.objects.commitsBetween(head, base);
  const status = !ahead.length && !behind.length ? "identical" : !behind.length ? "ahead" : !ahead.length ? "behind" : "diverged";
  const fromTree = mergeBase ? r.objects.commit(mergeBase)!.tree : undefined;
  const api = `${s.urls.api}/repos/${r.fullName}`;
  const web = `${s.urls.web}/${r.fullName}`;
  return {
    url: `${api}/compare/${basehead}`, html_url: `${web}/compare/${basehead}`, permalink_url: `${web}/compare/${r.owner}:${base.slice(0, 7)}...${r.owner}:${head.slice(0, 7)}`,
    diff_url: `${web}/compare/${basehead}.diff`, patch_url: `${web}/compare/${basehead}.patch`,
    base_commit: restCommitJson(s, r, base, false), merge_base_commit: mergeBase ? restCommitJson(s, r, mergeBase, false) : null,
    status, ahead_by: ahead.length, behind_by: behind.length, total_commits: ahead.length,
    commits: ahead.slice(-250).map((c) => restCommitJson(s, r, c, false)),
    files: diffTrees(r.objects, fromTree, r.objects.commit(head)!.tree).slice(0, 300).map((f) => fileJson(s, r, head, f)),
  };
}

function branchJson(s: State, r: RepoRec, name: string, sha: string): Json {
  const api = `${s.urls.api}/repos/${r.fullName}/branches/${name}`;
  return {
    name, commit: restCommitJson(s, r, sha, false), _links: { self: api, html: `${s.urls.web}/${r.fullName}/tree/${name}` },
    protected: false, protection: { enabled: false, required_status_checks: { enforcement_level: "off", contexts: [], checks: [] } },
    protection_url: `${api}/protection`,
  };
}

/** `GET /commits?sha=&path=`: history newest first, optionally only commits touching `path`. */
function history(s: State, r: RepoRec, ref: string | null, path: string | null): string[] | undefined {
  const head = s.resolve(r, ref ?? r.defaultBranch);
  if (!head) return undefined;
  const all = r.objects.ancestors(head);
  if (!path) return all;
  return all.filter((sha) => commitChanges(r, sha).some((f) => f.filename === path || f.filename.startsWith(path + "/") || f.previousFilename === path));
}

const R = "/repos/{owner}/{repo}";
const contents = ["contents"];

export const commitRoutes: Route[] = [
  { method: "GET", path: `${R}/commits`, auth: "installation", perm: contents, handler: ({ s, repo, req }) => {
    const shas = history(s, repo, req.query.get("sha"), req.query.get("path"));
    return shas ? paginate(req, shas, (sha) => restCommitJson(s, repo, sha, false)) : notFound();
  } },
  // Registered after the more specific /commits/{ref}/check-runs and /commits/{sha}/pulls (see index.ts ordering).
  { method: "GET", path: `${R}/commits/{ref+}`, auth: "installation", perm: contents, handler: ({ s, repo, params }) => {
    const sha = s.resolve(repo, params.ref);
    return sha ? json(200, restCommitJson(s, repo, sha, true)) : { status: 422, body: { message: `No commit found for SHA: ${params.ref}`, documentation_url: "https://docs.github.com/rest/commits/commits#get-a-commit", status: "422" } };
  } },
  { method: "GET", path: `${R}/compare/{basehead+}`, auth: "installation", perm: contents, handler: ({ s, repo, params }) => {
    const body = compare(s, repo, params.basehead);
    return body ? json(200, body) : notFound();
  } },
  { method: "GET", path: `${R}/branches`, auth: "installation", perm: contents, handler: ({ s, repo, req }) => {
    const branches = [...repo.refs].filter(([ref]) => ref.startsWith("refs/heads/")).sort(([a], [b]) => (a < b ? -1 : 1));
    return paginate(req, branches, ([ref, sha]) => ({ name: ref.slice(11), commit: { sha, url: `${s.urls.api}/repos/${repo.fullName}/commits/${sha}` }, protected: false }));
  } },
  { method: "GET", path: `${R}/branches/{branch+}`, auth: "installation", perm: contents, handler: ({ s, repo, params }) => {
    const sha = repo.refs.get(`refs/heads/${params.branch}`);
    return sha ? json(200, branchJson(s, repo, params.branch, sha)) : { status: 404, body: { message: "Branch not found", documentation_url: "https://docs.github.com/rest/branches/branches#get-a-branch", status: "404" } };
  } },
];
