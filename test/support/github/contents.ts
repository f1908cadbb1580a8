import { randomBytes } from "node:crypto";
import { errorBody, json, notFound, wrappedBase64 } from "./http.js";
import type { Json, SimResponse } from "./http.js";
import type { TreeEntry } from "./objects.js";
import type { Ctx, Route } from "./router.js";
import type { RepoRec, State } from "./state.js";

// Repository contents and archive links. Probot's `context.config` reads
// `.github/converge.yml` here with the raw media type and treats 404 as "no
// config" (then tries the owner's `.github` repo), so 404s must be exact.

function typeOf(e: TreeEntry): "file" | "dir" | "symlink" | "submodule" {
  return e.mode === "040000" ? "dir" : e.mode === "120000" ? "symlink" : e.mode === "160000" ? "submodule" : "file";
}

function entryJson(s: State, r: RepoRec, ref: string, path: string, e: TreeEntry): Record<string, unknown> {
  const api = `${s.urls.api}/repos/${r.fullName}`;
  const type = typeOf(e);
  const enc = path.split("/").map(encodeURIComponent).join("/");
  const self = `${api}/contents/${enc}?ref=${encodeURIComponent(ref)}`;
  const git = `${api}/git/${type === "dir" ? "trees" : "blobs"}/${e.sha}`;
  const html = `${s.urls.web}/${r.fullName}/${type === "dir" ? "tree" : "blob"}/${ref}/${enc}`;
  return {
    type, size: type === "file" || type === "symlink" ? r.objects.blob(e.sha)?.length ?? 0 : 0, name: path.split("/").pop(), path, sha: e.sha,
    url: self, git_url: type === "submodule" ? null : git, html_url: html,
    download_url: type === "file" ? `${s.urls.web}/${r.fullName}/raw/${ref}/${enc}` : null, _links: { self, git, html },
  };
}

/** Finds the tree entry at `path` below `tree` ("" = the root tree itself, returned as undefined entry). */
function lookup(r: RepoRec, tree: string, path: string): TreeEntry | undefined {
  let entry: TreeEntry | undefined = { name: "", mode: "040000", sha: tree };
  for (const part of path.split("/").filter(Boolean)) {
    if (entry?.mode !== "040000") return undefined;
    entry = r.objects.tree(entry.sha)?.find((e) => e.name === part);
  }
  return entry;
}

function wantsRaw(ctx: Ctx): boolean {
  const accept = ctx.req.headers.accept;
  return /\.raw\b|github\.raw/.test(Array.isArray(accept) ? accept.join(",") : accept ?? "");
}

function getContents(ctx: Ctx): SimResponse {
  const { s, repo, params, req } = ctx;
  if (repo.refs.size === 0) return { status: 404, body: errorBody(404, "This repository is empty.") };
  const ref = req.query.get("ref") || repo.defaultBranch;
  const sha = s.resolve(repo, ref);
  if (!sha) return { status: 404, body: errorBody(404, `No commit found for the ref ${ref}`) };
  const path = params.path.replace(/^\/+|\/+$/g, "");
  const entry = lookup(repo, repo.objects.commit(sha)!.tree, path);
  if (!entry) return notFound();
  if (entry.mode === "040000") {
    const children = repo.objects.tree(entry.sha) ?? [];
    return json(200, children.map((c) => entryJson(s, repo, ref, path ? `${path}/${c.name}` : c.name, c)));
  }
  const blob = repo.objects.blob(entry.sha);
  const meta = entryJson(s, repo, ref, path, entry);
  if (!blob) return json(200, { ...meta, submodule_git_url: null });
  if (wantsRaw(ctx)) return { status: 200, raw: blob, headers: { "content-type": "text/plain; charset=utf-8", "x-github-media-type": "github.v3; param=raw" } };
  if (entry.mode === "120000") return json(200, { ...meta, target: blob.toString("utf8") });
  // Files over 1 MB come back without inline content, as on GitHub.
  const big = blob.length > 1_000_000;
  return json(200, { ...meta, content: big ? "" : wrappedBase64(blob), encoding: big ? "none" : "base64" } as Json);
}

function tarballLink({ s, repo, params }: Ctx): SimResponse {
  const ref = params.ref || repo.defaultBranch;
  if (!s.resolve(repo, ref)) return notFound();
  const token = randomBytes(12).toString("hex").toUpperCase();
  s.tarballTokens.set(token, repo.fullName.toLowerCase());
  const location = `${s.urls.web}/_codeload/${repo.fullName}/legacy.tar.gz/${ref.split("/").map(encodeURIComponent).join("/")}?token=${token}`;
  return { status: 302, headers: { location } };
}

export const contentRoutes: Route[] = [
  { method: "GET", path: "/repos/{owner}/{repo}/contents/{path*}", auth: "installation", perm: ["contents"], handler: getContents },
  { method: "GET", path: "/repos/{owner}/{repo}/tarball/{ref*}", auth: "installation", perm: ["contents"], handler: tarballLink },
];
