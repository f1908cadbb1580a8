import { field, fieldError, json, noContent, nodeId, notFound, str, unprocessable, validationFailed, wrappedBase64 } from "./http.js";
import type { Json, SimResponse } from "./http.js";
import type { Leaf, Mode, Person } from "./objects.js";
import type { Ctx, Route } from "./router.js";
import { setRef } from "./gitops.js";
import type { RepoRec, State } from "./state.js";

// Git Database API: refs, blobs, trees, commits. This is what an app uses to
// write a commit without a checkout (e.g. a revert commit), so validation
// follows GitHub's: non-fast-forward ref updates fail unless `force`.

const MODES: Mode[] = ["100644", "100755", "040000", "120000", "160000"];

export function refJson(s: State, r: RepoRec, ref: string, sha: string): Json {
  const api = `${s.urls.api}/repos/${r.fullName}`;
  return { ref, node_id: nodeId("Ref", `${r.id}:${ref}`), url: `${api}/git/${ref}`, object: { sha, type: r.objects.typeOf(sha) ?? "commit", url: `${api}/git/commits/${sha}` } };
}

export function gitCommitJson(s: State, r: RepoRec, sha: string): Json {
  const c = r.objects.commit(sha)!;
  const api = `${s.urls.api}/repos/${r.fullName}`;
  return {
    sha, node_id: nodeId("Commit", sha), url: `${api}/git/commits/${sha}`, html_url: `${s.urls.web}/${r.fullName}/commit/${sha}`,
    author: c.author, committer: c.committer, tree: { sha: c.tree, url: `${api}/git/trees/${c.tree}` }, message: c.message,
    parents: c.parents.map((p) => ({ sha: p, url: `${api}/git/commits/${p}`, html_url: `${s.urls.web}/${r.fullName}/commit/${p}` })),
    verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
  };
}

function treeJson(s: State, r: RepoRec, sha: string, recursive: boolean): Json {
  const api = `${s.urls.api}/repos/${r.fullName}`;
  const entries: Json[] = [];
  const walk = (tree: string, prefix: string) => {
    for (const e of r.objects.tree(tree) ?? []) {
      const type = e.mode === "040000" ? "tree" : e.mode === "160000" ? "commit" : "blob";
      const size = type === "blob" ? r.objects.blob(e.sha)?.length : undefined;
      entries.push({ path: prefix + e.name, mode: e.mode, type, sha: e.sha, ...(size !== undefined ? { size } : {}), url: `${api}/git/${type === "tree" ? "trees" : "blobs"}/${e.sha}` });
      if (recursive && type === "tree") walk(e.sha, `${prefix}${e.name}/`);
    }
  };
  walk(sha, "");
  // GitHub stops at 100,000 entries and says so with truncated: true.
  return { sha, url: `${api}/git/trees/${sha}`, tree: entries.slice(0, 100_000), truncated: entries.length > 100_000 };
}

/** A tree SHA, or a commit SHA / ref name whose tree is meant (GitHub accepts all three). */
function findTree(s: State, r: RepoRec, id: string): string | undefined {
  if (r.objects.typeOf(id) === "tree") return id;
  const commit = s.resolve(r, id);
  return commit ? r.objects.commit(commit)?.tree : undefined;
}

function createRef({ s, repo, req }: Ctx): SimResponse {
  const ref = str(req.body, "ref");
  const sha = str(req.body, "sha");
  if (!ref || !sha) return validationFailed([fieldError("Reference", ref ? "sha" : "ref", "missing_field")]);
  if (!/^refs\/[^/]+\/.+/.test(ref)) return unprocessable("Reference name must start with 'refs/' and have at least two slashes.");
  if (!repo.objects.has(sha)) return unprocessable("Object does not exist");
  if (repo.refs.has(ref)) return unprocessable("Reference already exists");
  setRef(s, repo, ref, sha, { via: "api" });
  return json(201, refJson(s, repo, ref, sha), { location: `${s.urls.api}/repos/${repo.fullName}/git/${ref}` });
}

function updateRef({ s, repo, req, params }: Ctx): SimResponse {
  const ref = `refs/${params.ref}`;
  const sha = str(req.body, "sha");
  const force = field(req.body, "force") === true;
  if (!sha) return validationFailed([fieldError("Reference", "sha", "missing_field")]);
  const current = repo.refs.get(ref);
  if (!current) return unprocessable("Reference does not exist");
  if (!repo.objects.has(sha)) return unprocessable("Object does not exist");
  if (!force && !repo.objects.isAncestor(current, sha)) return unprocessable("Update is not a fast forward");
  setRef(s, repo, ref, sha, { force, via: "api" });
  return json(200, refJson(s, repo, ref, sha));
}

function createTree({ s, repo, req }: Ctx): SimResponse {
  const entries = field(req.body, "tree");
  const base = str(req.body, "base_tree");
  if (!Array.isArray(entries)) return validationFailed([fieldError("Tree", "tree", "missing_field")]);
  const baseTree = base ? findTree(s, repo, base) : undefined;
  if (base && !baseTree) return unprocessable("base_tree is not a valid tree oid");
  const leaves: Map<string, Leaf> = baseTree ? repo.objects.flatten(baseTree) : new Map();
  for (const e of entries as Record<string, unknown>[]) {
    const path = typeof e.path === "string" ? e.path.replace(/^\/+|\/+$/g, "") : "";
    const mode = e.mode as Mode;
    if (!path || !MODES.includes(mode)) return unprocessable(`tree.${path ? "mode" : "path"} is invalid`);
    const under = (p: string) => p === path || p.startsWith(path + "/");
    if (e.sha === null) { for (const p of [...leaves.keys()]) if (under(p)) leaves.delete(p); continue; }
    if (typeof e.content === "string") {
      if (e.sha !== undefined) return unprocessable("Must supply either tree.sha or tree.content, not both");
      leaves.set(path, { mode, sha: repo.objects.writeBlob(Buffer.from(e.content, "utf8")) });
      continue;
    }
    const sha = typeof e.sha === "string" ? e.sha : "";
    const type = repo.objects.typeOf(sha);
    if (mode === "040000") {
      if (type !== "tree") return unprocessable(`tree.sha ${sha} is not a valid tree`);
      for (const p of [...leaves.keys()]) if (under(p)) leaves.delete(p);
      for (const [p, l] of repo.objects.flatten(sha)) leaves.set(`${path}/${p}`, l);
    } else if (mode === "160000") {
      leaves.set(path, { mode, sha });
    } else {
      if (type !== "blob") return unprocessable(`tree.sha ${sha} is not a valid blob`);
      leaves.set(path, { mode, sha });
    }
  }
  const sha = repo.objects.buildTree(leaves);
  return json(201, treeJson(s, repo, sha, false));
}

function person(body: unknown, key: string, fallback: Person): Person | undefined {
  const p = field(body, key) as Partial<Person> | undefined;
  if (!p) return fallback;
  if (typeof p.name !== "string" || typeof p.email !== "string") return undefined;
  return { name: p.name, email: p.email, date: typeof p.date === "string" ? new Date(p.date).toISOString().replace(/\.\d{3}Z$/, "Z") : fallback.date };
}

function createCommit({ s, repo, req, actor }: Ctx): SimResponse {
  const message = str(req.body, "message");
  const tree = str(req.body, "tree");
  const parents = (field(req.body, "parents") ?? []) as unknown[];
  if (message === undefined || !tree) return validationFailed([fieldError("Commit", message === undefined ? "message" : "tree", "missing_field")]);
  if (repo.objects.typeOf(tree) !== "tree") return unprocessable("Tree SHA does not exist");
  if (!Array.isArray(parents) || parents.some((p) => typeof p !== "string" || repo.objects.typeOf(p) !== "commit")) {
    return unprocessable("Parent SHA does not exist or is not a commit object");
  }
  const me = s.person(actor || repo.owner);
  const author = person(req.body, "author", me);
  const committer = person(req.body, "committer", author ?? me);
  if (!author || !committer) return validationFailed([fieldError("Commit", author ? "committer" : "author", "invalid")]);
  const sha = repo.objects.writeCommit({ tree, parents: parents as string[], author, committer, message });
  return json(201, gitCommitJson(s, repo, sha), { location: `${s.urls.api}/repos/${repo.fullName}/git/commits/${sha}` });
}

const R = "/repos/{owner}/{repo}/git";
const contents = ["contents"];

export const gitRoutes: Route[] = [
  { method: "GET", path: `${R}/ref/{ref+}`, auth: "installation", perm: contents, handler: ({ s, repo, params }) => {
    const sha = repo.refs.get(`refs/${params.ref}`);
    return sha ? json(200, refJson(s, repo, `refs/${params.ref}`, sha)) : notFound();
  } },
  { method: "GET", path: `${R}/matching-refs/{ref*}`, auth: "installation", perm: contents, handler: ({ s, repo, params }) => {
    const prefix = `refs/${params.ref}`;
    const refs = [...repo.refs].filter(([r]) => r.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : 1));
    return json(200, refs.map(([r, sha]) => refJson(s, repo, r, sha)));
  } },
  { method: "POST", path: `${R}/refs`, auth: "installation", perm: contents, handler: createRef },
  { method: "PATCH", path: `${R}/refs/{ref+}`, auth: "installation", perm: contents, handler: updateRef },
  { method: "DELETE", path: `${R}/refs/{ref+}`, auth: "installation", perm: contents, handler: ({ s, repo, params }) => {
    const ref = `refs/${params.ref}`;
    if (!repo.refs.has(ref)) return unprocessable("Reference does not exist");
    setRef(s, repo, ref, null, { via: "api" });
    return noContent();
  } },
  { method: "GET", path: `${R}/blobs/{file_sha}`, auth: "installation", perm: contents, handler: ({ s, repo, params }) => {
    const blob = repo.objects.blob(params.file_sha);
    if (!blob) return notFound();
    return json(200, { sha: params.file_sha, node_id: nodeId("Blob", params.file_sha), size: blob.length, url: `${s.urls.api}/repos/${repo.fullName}/git/blobs/${params.file_sha}`, content: wrappedBase64(blob), encoding: "base64" });
  } },
  { method: "POST", path: `${R}/blobs`, auth: "installation", perm: contents, handler: ({ s, repo, req }) => {
    const content = str(req.body, "content");
    const encoding = str(req.body, "encoding") ?? "utf-8";
    if (content === undefined) return validationFailed([fieldError("Blob", "content", "missing_field")]);
    if (encoding !== "utf-8" && encoding !== "base64") return validationFailed([fieldError("Blob", "encoding", "invalid")]);
    const sha = repo.objects.writeBlob(Buffer.from(content, encoding === "base64" ? "base64" : "utf8"));
    return json(201, { url: `${s.urls.api}/repos/${repo.fullName}/git/blobs/${sha}`, sha });
  } },
  { method: "GET", path: `${R}/trees/{tree_sha}`, auth: "installation", perm: contents, handler: ({ s, repo, params, req }) => {
    const tree = findTree(s, repo, params.tree_sha);
    return tree ? json(200, treeJson(s, repo, tree, req.query.has("recursive"))) : notFound();
  } },
  { method: "POST", path: `${R}/trees`, auth: "installation", perm: contents, handler: createTree },
  { method: "GET", path: `${R}/commits/{commit_sha}`, auth: "installation", perm: contents, handler: ({ s, repo, params }) =>
    repo.objects.typeOf(params.commit_sha) === "commit" ? json(200, gitCommitJson(s, repo, params.commit_sha)) : notFound() },
  { method: "POST", path: `${R}/commits`, auth: "installation", perm: contents, handler: createCommit },
];
