import { createSign } from "node:crypto";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { Octokit } from "@octokit/rest";
import { createAppAuth } from "@octokit/auth-app";
import { pino } from "pino";
import { Probot, Server } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sendWebhook, signWebhook, startGitHubSim } from "../support/github/index.js";
import type { GitHubSim } from "../support/github/index.js";

const REPO = "acme/shop";
const [owner, repo] = REPO.split("/");

/** App JWT signed by hand, to prove the sim checks RS256 signatures itself. */
function jwt(appId: number, key: string): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const input = `${enc({ alg: "RS256", typ: "JWT" })}.${enc({ iat: now - 30, exp: now + 540, iss: String(appId) })}`;
  return `${input}.${createSign("RSA-SHA256").update(input).sign(key, "base64url")}`;
}

/** Octokit logs every 4xx/5xx to the console; the tests provoke many on purpose. */
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

async function installationOctokit(sim: GitHubSim): Promise<Octokit> {
  const app = new Octokit({ baseUrl: sim.apiUrl, auth: jwt(sim.appId, sim.privateKey), log: quiet });
  const { data } = await app.rest.apps.createInstallationAccessToken({ installation_id: sim.installationId(REPO) });
  return new Octokit({ baseUrl: sim.apiUrl, auth: data.token, log: quiet });
}

interface TarItem { name: string; type: string; size: number; linkname: string; content: Buffer; pax: Record<string, string> }

/** Minimal tar reader: ustar headers (checksums verified), pax 'x' (per entry) and 'g' (global) records. */
function untar(buf: Buffer): TarItem[] {
  const items: TarItem[] = [];
  let pending: Record<string, string> = {};
  for (let off = 0; off + 512 <= buf.length;) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const text = (o: number, l: number) => h.subarray(o, o + l).toString("utf8").replace(/\0[\s\S]*$/, "");
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    expect(Number.parseInt(text(148, 8).trim(), 8)).toBe(sum);
    const size = Number.parseInt(text(124, 12), 8) || 0;
    const type = text(156, 1);
    const content = buf.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    const records: Record<string, string> = {};
    for (const line of content.toString("utf8").split("\n").filter(Boolean)) {
      const kv = line.slice(line.indexOf(" ") + 1);
      records[kv.slice(0, kv.indexOf("="))] = kv.slice(kv.indexOf("=") + 1);
    }
    if (type === "x") { pending = records; continue; }
    const name = pending.path ?? (text(345, 155) ? `${text(345, 155)}/${text(0, 100)}` : text(0, 100));
    items.push({ name, type, size, linkname: pending.linkpath ?? text(157, 100), content, pax: type === "g" ? records : {} });
    pending = {};
  }
  return items;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe("simulated GitHub", () => {
  let sim: GitHubSim;
  let base: string;

  beforeEach(async () => {
    sim = await startGitHubSim();
    sim.createRepo(REPO, { defaultBranch: "main", files: { "README.md": "# shop\n", "deploy/app.yaml": "kind: Deployment\nreplicas: 1\n" } });
    base = sim.ref(REPO, "main")!;
  });

  afterEach(async () => {
    await sim.close();
  });

  it("issues installation tokens for a valid app JWT and rejects bad credentials", async () => {
    const viaAuthApp = new Octokit({ baseUrl: sim.apiUrl, log: quiet, authStrategy: createAppAuth, auth: { appId: sim.appId, privateKey: sim.privateKey, installationId: sim.installationId(REPO) } });
    const { data: repos } = await viaAuthApp.rest.apps.listReposAccessibleToInstallation();
    expect(repos.repositories.map((r) => r.full_name)).toEqual([REPO]);

    const app = new Octokit({ baseUrl: sim.apiUrl, auth: jwt(sim.appId, sim.privateKey), log: quiet });
    const { data: me } = await app.rest.apps.getAuthenticated();
    expect(me).toMatchObject({ id: sim.appId, slug: "converge" });
    const { data: inst } = await app.rest.apps.getRepoInstallation({ owner, repo });
    const { status, data: token } = await app.rest.apps.createInstallationAccessToken({ installation_id: inst.id });
    expect(status).toBe(201);
    expect(token).toMatchObject({ token: expect.stringMatching(/^ghs_/), repository_selection: "all", permissions: expect.objectContaining({ contents: "write" }) });
    expect(Date.parse(token.expires_at)).toBeGreaterThan(Date.now() + 3500_000);

    const stranger = new Octokit({ baseUrl: sim.apiUrl, auth: "ghs_not-a-real-token", log: quiet });
    const err = await stranger.rest.repos.get({ owner, repo }).catch((e) => e);
    expect(err.status).toBe(401);
    expect(err.response.data).toMatchObject({ message: "Bad credentials", documentation_url: expect.any(String) });
    // An installation token is not an app JWT.
    const wrongKind = new Octokit({ baseUrl: sim.apiUrl, auth: token.token, log: quiet });
    expect((await wrongKind.rest.apps.getAuthenticated().catch((e) => e)).status).toBe(401);
    expect(sim.unexpected).toEqual([]);
  });

  it("stores real git objects, updates refs fast-forward only, and records force pushes", async () => {
    const gh = await installationOctokit(sim);
    const { data: ref } = await gh.rest.git.getRef({ owner, repo, ref: "heads/main" });
    expect(ref.object.sha).toBe(base);
    const { data: tree } = await gh.rest.git.getTree({ owner, repo, tree_sha: base, recursive: "1" });
    expect(tree.truncated).toBe(false);
    expect(tree.tree.map((e) => `${e.type}:${e.path}`)).toEqual(["blob:README.md", "tree:deploy", "blob:deploy/app.yaml"]);
    // git's own id for the blob "# shop\n".
    const readme = tree.tree.find((e) => e.path === "README.md")!;
    expect(readme.sha).toBe("310f3980a081a8b4db0c21b53c3994c75fb2e367"); // printf '# shop\\n' | git hash-object --stdin
    const { data: blob } = await gh.rest.git.getBlob({ owner, repo, file_sha: readme.sha });
    expect(Buffer.from(blob.content, "base64").toString()).toBe("# shop\n");

    const { data: newTree } = await gh.rest.git.createTree({ owner, repo, base_tree: tree.sha, tree: [
      { path: "deploy/app.yaml", mode: "100644", type: "blob", content: "kind: Deployment\nreplicas: 2\n" },
      { path: "README.md", mode: "100644", type: "blob", sha: null },
    ] });
    const { data: commit } = await gh.rest.git.createCommit({ owner, repo, message: "Revert \"scale\"", tree: newTree.sha, parents: [base] });
    await gh.rest.git.updateRef({ owner, repo, ref: "heads/main", sha: commit.sha });
    expect(sim.files(REPO, "main")).toEqual({ "deploy/app.yaml": "kind: Deployment\nreplicas: 2\n" });

    const { data: c } = await gh.rest.repos.getCommit({ owner, repo, ref: commit.sha });
    expect(c.parents.map((p) => p.sha)).toEqual([base]);
    expect(c.files?.map((f) => [f.filename, f.status])).toEqual([["README.md", "removed"], ["deploy/app.yaml", "modified"]]);
    expect(c.files?.[1].patch).toContain("-replicas: 1\n+replicas: 2");
    const { data: cmp } = await gh.rest.repos.compareCommitsWithBasehead({ owner, repo, basehead: `${base}...main` });
    expect(cmp).toMatchObject({ status: "ahead", ahead_by: 1, behind_by: 0, total_commits: 1 });

    // Non-fast-forward without force is refused; with force it goes through and is recorded.
    const stale = await gh.rest.git.updateRef({ owner, repo, ref: "heads/main", sha: base }).catch((e) => e);
    expect(stale.status).toBe(422);
    expect(stale.response.data.message).toBe("Update is not a fast forward");
    expect(sim.forcePushes).toEqual([]);
    await gh.rest.git.updateRef({ owner, repo, ref: "heads/main", sha: base, force: true });
    expect(sim.forcePushes).toMatchObject([{ repo: REPO, ref: "refs/heads/main", from: commit.sha, to: base, force: true, fastForward: false }]);

    await gh.rest.git.createRef({ owner, repo, ref: "refs/heads/revert-1", sha: commit.sha });
    expect((await gh.rest.git.createRef({ owner, repo, ref: "refs/heads/revert-1", sha: commit.sha }).catch((e) => e)).status).toBe(422);
    expect((await gh.rest.git.listMatchingRefs({ owner, repo, ref: "heads/rev" })).data.map((r) => r.ref)).toEqual(["refs/heads/revert-1"]);
    await gh.rest.git.deleteRef({ owner, repo, ref: "heads/revert-1" });
    expect((await gh.rest.git.getRef({ owner, repo, ref: "heads/revert-1" }).catch((e) => e)).status).toBe(404);
    expect(sim.unexpected).toEqual([]);
  });

  it("computes git object ids exactly like git", async () => {
    // `printf 'hello\n' | git hash-object --stdin` and git's empty tree are well-known ids.
    const gh = await installationOctokit(sim);
    const { data } = await gh.rest.git.createBlob({ owner, repo, content: "hello\n", encoding: "utf-8" });
    expect(data.sha).toBe("ce013625030ba8dba906f756967f9e9ca394464a");
    const { data: empty } = await gh.rest.git.createTree({ owner, repo, tree: [] });
    expect(empty.sha).toBe("4b825dc642cb6eb9a060e54bf8d69288fbee4904");
  });

  it("serves tarballs through a redirect in GitHub's layout, with injectable symlinks", async () => {
    const gh = await installationOctokit(sim);
    sim.addTarballSymlink(REPO, base, "deploy/evil.yaml", "/etc/passwd");
    const res = await gh.rest.repos.downloadTarballArchive({ owner, repo, ref: "main" });
    expect(res.status).toBe(200);
    expect(res.url).toContain("/_codeload/acme/shop/legacy.tar.gz/main?token=");
    const items = untar(gunzipSync(Buffer.from(res.data as ArrayBuffer)));
    const top = `acme-shop-${base.slice(0, 7)}`;
    expect(items[0]).toMatchObject({ name: "pax_global_header", type: "g", pax: { comment: base } });
    expect(items.slice(1).map((i) => `${i.type}:${i.name}`)).toEqual([
      `5:${top}/`, `0:${top}/README.md`, `5:${top}/deploy/`, `0:${top}/deploy/app.yaml`, `2:${top}/deploy/evil.yaml`,
    ]);
    expect(items.find((i) => i.name.endsWith("app.yaml"))!.content.toString()).toBe("kind: Deployment\nreplicas: 1\n");
    expect(items.find((i) => i.type === "2")!.linkname).toBe("/etc/passwd");
    expect(sim.calls.find((c) => c.path === "/repos/acme/shop/tarball/main")?.status).toBe(302);

    // Long paths use pax extended headers.
    const long = `deploy/${"x".repeat(120)}.yaml`;
    const sha = sim.commit(REPO, "main", { [long]: "a: 1\n" }, { message: "long" });
    const again = await gh.rest.repos.downloadTarballArchive({ owner, repo, ref: sha });
    const names = untar(gunzipSync(Buffer.from(again.data as ArrayBuffer))).map((i) => i.name);
    expect(names).toContain(`acme-shop-${sha.slice(0, 7)}/${long}`);
    expect(sim.unexpected).toEqual([]);
  });

  it("paginates comments across 3 pages with link headers", async () => {
    const gh = await installationOctokit(sim);
    const n = sim.openIssue(REPO, { title: "many comments", user: "alice" });
    for (let i = 0; i < 65; i++) sim.addComment(REPO, n, { user: "alice", body: `comment ${i}` });
    const first = await gh.rest.issues.listComments({ owner, repo, issue_number: n, per_page: 30 });
    expect(first.data).toHaveLength(30);
    expect(first.headers.link).toMatch(/page=2>; rel="next"/);
    expect(first.headers.link).toMatch(/page=3>; rel="last"/);
    sim.resetCalls();
    const all = await gh.paginate(gh.rest.issues.listComments, { owner, repo, issue_number: n, per_page: 30 });
    expect(all.map((c) => c.body)).toEqual(Array.from({ length: 65 }, (_, i) => `comment ${i}`));
    expect(sim.count({ route: "GET /repos/{owner}/{repo}/issues/{issue_number}/comments" })).toBe(3);
    expect(sim.calls.map((c) => c.query.page)).toEqual([undefined, "2", "3"]);
  });

  it("rejects comment bodies over 65,536 characters with GitHub's 422", async () => {
    const gh = await installationOctokit(sim);
    const n = sim.openIssue(REPO, { title: "t" });
    const err = await gh.rest.issues.createComment({ owner, repo, issue_number: n, body: "x".repeat(65_537) }).catch((e) => e);
    expect(err.status).toBe(422);
    expect(err.response.data).toMatchObject({
      message: "Validation Failed",
      errors: [{ resource: "IssueComment", code: "custom", field: "body", message: "body is too long (maximum is 65536 characters)" }],
    });
    const ok = await gh.rest.issues.createComment({ owner, repo, issue_number: n, body: "y".repeat(65_536) });
    expect(ok.status).toBe(201);
    expect(ok.data.user?.login).toBe("converge[bot]");
    expect(ok.data.performed_via_github_app?.slug).toBe("converge");
    const edited = await gh.rest.issues.updateComment({ owner, repo, comment_id: ok.data.id, body: "short" });
    expect(edited.data.body).toBe("short");
    await gh.rest.issues.deleteComment({ owner, repo, comment_id: ok.data.id });
    expect(sim.comments(REPO, n)).toEqual([]);
  });

  it("creates, updates and lists check runs within GitHub's output limits", async () => {
    const gh = await installationOctokit(sim);
    const { data: run } = await gh.rest.checks.create({ owner, repo, name: "converge/preview", head_sha: base, status: "in_progress", output: { title: "Rendering", summary: "…" } });
    expect(run).toMatchObject({ status: "in_progress", conclusion: null, head_sha: base, app: { slug: "converge" } });
    const annotations = Array.from({ length: 50 }, (_, i) => ({ path: "deploy/app.yaml", start_line: i + 1, end_line: i + 1, annotation_level: "warning" as const, message: `w${i}` }));
    const { data: done } = await gh.rest.checks.update({ owner, repo, check_run_id: run.id, conclusion: "failure", output: { title: "1 error", summary: "bad", text: "details", annotations } });
    expect(done).toMatchObject({ status: "completed", conclusion: "failure", output: { title: "1 error", annotations_count: 50 } });
    const tooMany = await gh.rest.checks.update({ owner, repo, check_run_id: run.id, output: { title: "t", summary: "s", annotations: [...annotations, annotations[0]] } }).catch((e) => e);
    expect(tooMany.status).toBe(422);
    const tooLong = await gh.rest.checks.create({ owner, repo, name: "x", head_sha: base, output: { title: "t", summary: "s".repeat(65_536) } }).catch((e) => e);
    expect(tooLong.status).toBe(422);
    expect(tooLong.response.data.message).toContain("65535");
    await gh.rest.checks.create({ owner, repo, name: "converge/approval", head_sha: base, conclusion: "success", output: { title: "ok", summary: "s".repeat(65_535) } });
    const { data: list } = await gh.rest.checks.listForRef({ owner, repo, ref: "main", check_name: "converge/preview" });
    expect(list.total_count).toBe(1);
    expect(list.check_runs[0].id).toBe(run.id);
    expect((await gh.rest.checks.listAnnotations({ owner, repo, check_run_id: run.id, per_page: 100 })).data).toHaveLength(50);
    expect((await gh.rest.checks.listForRef({ owner, repo, ref: base })).data.total_count).toBe(2);
  });

  it("creates deployments and statuses with GitHub's validation and defaults", async () => {
    const gh = await installationOctokit(sim);
    await gh.rest.checks.create({ owner, repo, name: "converge/approval", head_sha: base, conclusion: "failure", output: { title: "no", summary: "no" } });
    // Default required_contexts = every check: a red check blocks the deployment.
    const blocked = await gh.rest.repos.createDeployment({ owner, repo, ref: base, environment: "staging" }).catch((e) => e);
    expect(blocked.status).toBe(409);
    const { status, data: d } = await gh.rest.repos.createDeployment({ owner, repo, ref: base, environment: "staging", auto_merge: false, required_contexts: [], payload: { pr: 7 }, description: "deploy #7", transient_environment: false, production_environment: false });
    expect(status).toBe(201);
    if (!("id" in d)) throw new Error("expected a deployment");
    expect(d).toMatchObject({ sha: base, ref: base, environment: "staging", payload: { pr: 7 }, production_environment: false, creator: { login: "converge[bot]" } });
    await gh.rest.repos.createDeploymentStatus({ owner, repo, deployment_id: d.id, state: "in_progress", log_url: "http://127.0.0.1/log" });
    const long = await gh.rest.repos.createDeploymentStatus({ owner, repo, deployment_id: d.id, state: "success", description: "d".repeat(141) }).catch((e) => e);
    expect(long.status).toBe(422);
    const bad = await gh.rest.repos.createDeploymentStatus({ owner, repo, deployment_id: d.id, state: "done" as "success" }).catch((e) => e);
    expect(bad.status).toBe(422);
    await gh.rest.repos.createDeploymentStatus({ owner, repo, deployment_id: d.id, state: "success", description: "d".repeat(140), environment_url: "https://shop.example" });
    const { data: statuses } = await gh.rest.repos.listDeploymentStatuses({ owner, repo, deployment_id: d.id });
    expect(statuses.map((s) => s.state)).toEqual(["success", "in_progress"]);
    const { data: listed } = await gh.rest.repos.listDeployments({ owner, repo, environment: "staging", sha: base });
    expect(listed.map((x) => x.id)).toEqual([d.id]);

    // A later successful deployment to the same environment marks the earlier one inactive.
    const { data: d2 } = await gh.rest.repos.createDeployment({ owner, repo, ref: base, environment: "staging", auto_merge: false, required_contexts: [], production_environment: false });
    if (!("id" in d2)) throw new Error("expected a deployment");
    await gh.rest.repos.createDeploymentStatus({ owner, repo, deployment_id: d2.id, state: "success" });
    expect(sim.deployments(REPO).find((x) => x.id === d.id)!.statuses.at(-1)!.state).toBe("inactive");
    expect(sim.allText()).toContain("deploy #7");
  });

  it("answers team membership with 200 for members and 404 otherwise", async () => {
    const gh = await installationOctokit(sim);
    sim.addTeam("acme", "sre", ["alice"], { maintainers: ["bob"] });
    const { data } = await gh.rest.teams.getMembershipForUserInOrg({ org: "acme", team_slug: "sre", username: "alice" });
    expect(data).toMatchObject({ state: "active", role: "member" });
    const missing = await gh.rest.teams.getMembershipForUserInOrg({ org: "acme", team_slug: "sre", username: "mallory" }).catch((e) => e);
    expect(missing.status).toBe(404);
    const members = await gh.paginate(gh.rest.teams.listMembersInOrg, { org: "acme", team_slug: "sre" });
    expect(members.map((m) => m.login).sort()).toEqual(["alice", "bob"]);
    sim.setPermission(REPO, "alice", "write");
    expect((await gh.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: "alice" })).data.permission).toBe("write");
    expect((await gh.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: "bob" })).data.permission).toBe("none");
    expect((await gh.rest.users.getByUsername({ username: "alice" })).data).toMatchObject({ login: "alice", type: "User" });
  });

  it("keeps reviews pinned to their commit and merges with a new commit", async () => {
    const gh = await installationOctokit(sim);
    const c1 = sim.commit(REPO, "scale", { "deploy/app.yaml": "kind: Deployment\nreplicas: 3\n" }, { message: "scale", author: "alice", parents: [base] });
    const n = sim.openPull(REPO, { head: "scale", base: "main", title: "Scale up", user: "alice" });
    const first = sim.review(REPO, n, { user: "bob", state: "APPROVED" });
    const c2 = sim.commit(REPO, "scale", { "deploy/app.yaml": "kind: Deployment\nreplicas: 4\n" }, { message: "more", author: "alice" });
    sim.review(REPO, n, { user: "carol", state: "CHANGES_REQUESTED" });
    const { data: pr } = await gh.rest.pulls.get({ owner, repo, pull_number: n });
    expect(pr).toMatchObject({ number: n, state: "open", head: { ref: "scale", sha: c2 }, base: { ref: "main", sha: base }, mergeable: true, user: { login: "alice" }, commits: 2, changed_files: 1 });
    const { data: reviews } = await gh.rest.pulls.listReviews({ owner, repo, pull_number: n });
    expect(reviews.map((r) => [r.id === first ? "first" : "second", r.user?.login, r.state, r.commit_id])).toEqual([["first", "bob", "APPROVED", c1], ["second", "carol", "CHANGES_REQUESTED", c2]]);
    const { data: files } = await gh.rest.pulls.listFiles({ owner, repo, pull_number: n });
    expect(files.map((f) => f.filename)).toEqual(["deploy/app.yaml"]);
    expect((await gh.rest.pulls.list({ owner, repo, head: "acme:scale" })).data.map((p) => p.number)).toEqual([n]);

    const moved = await gh.rest.pulls.merge({ owner, repo, pull_number: n, sha: c1 }).catch((e) => e);
    expect(moved.status).toBe(409);
    const { data: merged } = await gh.rest.pulls.merge({ owner, repo, pull_number: n, sha: c2, merge_method: "merge" });
    expect(merged).toMatchObject({ merged: true, message: "Pull Request successfully merged" });
    const { data: after } = await gh.rest.pulls.get({ owner, repo, pull_number: n });
    expect(after).toMatchObject({ state: "closed", merged: true, merge_commit_sha: merged.sha, merged_by: { login: "converge[bot]" } });
    const { data: mc } = await gh.rest.git.getCommit({ owner, repo, commit_sha: merged.sha });
    expect(mc.parents.map((p) => p.sha)).toEqual([base, c2]);
    expect(sim.ref(REPO, "main")).toBe(merged.sha);
    expect(sim.files(REPO, "main")["deploy/app.yaml"]).toBe("kind: Deployment\nreplicas: 4\n");
    expect((await gh.rest.pulls.merge({ owner, repo, pull_number: n }).catch((e) => e)).status).toBe(405);
    const { data: assoc } = await gh.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: merged.sha });
    expect(assoc.map((p) => p.number)).toEqual([n]);
    expect(sim.forcePushes).toEqual([]);
    expect(sim.unexpected).toEqual([]);
  });

  it("refuses to merge a conflicting pull request with 405", async () => {
    const gh = await installationOctokit(sim);
    sim.commit(REPO, "a", { "deploy/app.yaml": "replicas: 5\n" }, { message: "a", parents: [base] });
    const n = sim.openPull(REPO, { head: "a" });
    sim.commit(REPO, "main", { "deploy/app.yaml": "replicas: 6\n" }, { message: "main moved" });
    expect((await gh.rest.pulls.get({ owner, repo, pull_number: n })).data).toMatchObject({ mergeable: false, mergeable_state: "dirty" });
    const err = await gh.rest.pulls.merge({ owner, repo, pull_number: n }).catch((e) => e);
    expect(err.status).toBe(405);
    expect(err.response.data.message).toBe("Pull Request is not mergeable");
  });

  it("answers conditional requests with 304 without spending rate limit", async () => {
    const gh = await installationOctokit(sim);
    const first = await gh.rest.repos.get({ owner, repo });
    expect(first.headers.etag).toMatch(/^W\/"[0-9a-f]{64}"$/);
    expect(first.headers["x-github-request-id"]).toBeTruthy();
    expect(first.headers["x-ratelimit-resource"]).toBe("core");
    expect(first.data).toMatchObject({ full_name: REPO, default_branch: "main", private: true });
    const remaining = Number(first.headers["x-ratelimit-remaining"]);
    const err = await gh.rest.repos.get({ owner, repo, headers: { "if-none-match": first.headers.etag } }).catch((e) => e);
    expect(err.status).toBe(304);
    const third = await gh.rest.repos.get({ owner, repo });
    expect(Number(third.headers["x-ratelimit-remaining"])).toBe(remaining - 1);
    expect(Number(third.headers["x-ratelimit-limit"])).toBe(5000);
    expect(sim.rateLimit(sim.installationId(REPO)).remaining).toBe(remaining - 1);
  });

  it("reads .github/converge.yml raw and 404s for missing files and repos", async () => {
    const gh = await installationOctokit(sim);
    sim.commit(REPO, "main", { ".github/converge.yml": "environments:\n  prod: {}\n" }, { message: "config" });
    const raw = await gh.request("GET /repos/{owner}/{repo}/contents/{path}", { owner, repo, path: ".github/converge.yml", mediaType: { format: "raw" } });
    expect(raw.data).toBe("environments:\n  prod: {}\n");
    const { data: dir } = await gh.rest.repos.getContent({ owner, repo, path: "deploy" });
    expect(Array.isArray(dir) && dir.map((e) => [e.type, e.path])).toEqual([["file", "deploy/app.yaml"]]);
    expect((await gh.rest.repos.getContent({ owner, repo, path: "nope.yml" }).catch((e) => e)).status).toBe(404);
    expect((await gh.rest.repos.getContent({ owner, repo: ".github", path: ".github/converge.yml" }).catch((e) => e)).status).toBe(404);
    expect(sim.unexpected).toEqual([]);
  });

  it("records unexpected requests and supports fault injection", async () => {
    const gh = await installationOctokit(sim);
    const err = await gh.request("GET /repos/{owner}/{repo}/stargazers", { owner, repo }).catch((e) => e);
    expect(err.status).toBe(404);
    expect(err.response.data.message).toBe("simulated GitHub: unexpected request GET /repos/acme/shop/stargazers");
    expect(sim.unexpected.map((c) => `${c.method} ${c.path}`)).toEqual(["GET /repos/acme/shop/stargazers"]);

    const remove = sim.intercept((r) => (r.route === "GET /repos/{owner}/{repo}" && r.count === 1 ? { status: 502 } : undefined));
    expect((await gh.rest.repos.get({ owner, repo }).catch((e) => e)).status).toBe(502);
    expect((await gh.rest.repos.get({ owner, repo })).status).toBe(200);
    remove();
    sim.intercept((r) => (r.method === "POST" ? { status: 403, headers: { "retry-after": "1" }, body: { message: "You have exceeded a secondary rate limit." } } : undefined));
    const limited = await gh.rest.issues.create({ owner, repo, title: "x" }).catch((e) => e);
    expect(limited.status).toBe(403);
    expect(limited.response.headers["retry-after"]).toBe("1");
    sim.resetCalls();
    expect(sim.calls).toEqual([]);
    expect(sim.unexpected).toHaveLength(1);
    sim.clearUnexpected();

    sim.latencyMs = 40;
    const started = performance.now();
    await gh.rest.repos.get({ owner, repo }).catch(() => undefined);
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
  });

  it("enforces the primary rate limit, installation permissions and repo visibility", async () => {
    const gh = await installationOctokit(sim);
    sim.setRateLimitRemaining(sim.installationId(REPO), 1);
    const last = await gh.rest.repos.get({ owner, repo });
    expect(last.headers["x-ratelimit-remaining"]).toBe("0");
    const over = await gh.rest.repos.get({ owner, repo }).catch((e) => e);
    expect(over.status).toBe(403);
    expect(over.response.data.message).toMatch(/^API rate limit exceeded for installation ID \d+\.$/);

    sim.createRepo("globex/site", { files: { a: "b" }, install: false });
    sim.install("globex", { permissions: { metadata: "read", contents: "read" } });
    const app = new Octokit({ baseUrl: sim.apiUrl, auth: sim.appJwt(), log: quiet });
    const { data: t } = await app.rest.apps.createInstallationAccessToken({ installation_id: sim.installationId("globex/site") });
    const readOnly = new Octokit({ baseUrl: sim.apiUrl, auth: t.token, log: quiet });
    expect((await readOnly.rest.repos.getBranch({ owner: "globex", repo: "site", branch: "main" })).data.name).toBe("main");
    const denied = await readOnly.rest.issues.create({ owner: "globex", repo: "site", title: "x" }).catch((e) => e);
    expect(denied.status).toBe(403);
    expect(denied.response.data.message).toBe("Resource not accessible by integration");
    // Private repos of other accounts and anonymous callers see 404, like GitHub.
    expect((await readOnly.rest.repos.get({ owner, repo }).catch((e) => e)).status).toBe(404);
    expect((await new Octokit({ baseUrl: sim.apiUrl, log: quiet }).rest.repos.get({ owner, repo }).catch((e) => e)).status).toBe(404);
  });

  it("can simulate the secondary rate limit on content creation", async () => {
    await sim.close();
    sim = await startGitHubSim({ contentCreationPerMinute: 2 });
    sim.createRepo(REPO, { files: { a: "b" } });
    const gh = await installationOctokit(sim);
    const n = sim.openIssue(REPO, { title: "t" });
    await gh.rest.issues.createComment({ owner, repo, issue_number: n, body: "1" });
    await gh.rest.issues.createComment({ owner, repo, issue_number: n, body: "2" });
    const third = await gh.rest.issues.createComment({ owner, repo, issue_number: n, body: "3" }).catch((e) => e);
    expect(third.status).toBe(403);
    expect(third.response.headers["retry-after"]).toBe("60");
    expect(third.response.data.message).toMatch(/secondary rate limit/);
    sim.advanceTime(61_000);
    expect((await gh.rest.issues.createComment({ owner, repo, issue_number: n, body: "4" })).status).toBe(201);
    expect(sim.counters["POST /repos/{owner}/{repo}/issues/{issue_number}/comments"]).toBe(4);
  });

  it("collects every stored text for secret scans", async () => {
    const gh = await installationOctokit(sim);
    const n = sim.openIssue(REPO, { title: "t" });
    await gh.rest.issues.createComment({ owner, repo, issue_number: n, body: "comment-canary" });
    await gh.rest.checks.create({ owner, repo, name: "c", head_sha: base, conclusion: "success", output: { title: "t", summary: "s", annotations: [{ path: "a", start_line: 1, end_line: 1, annotation_level: "notice", message: "annotation-canary" }] } });
    const text = sim.allText();
    expect(text).toContain("comment-canary");
    expect(text).toContain("annotation-canary");
    expect(text).toContain("Initial commit");
    expect(text).not.toContain("replicas: 1");
    expect(sim.allText({ blobs: true })).toContain("replicas: 1");
  });

  it("drives a real Probot app as a GitHub Enterprise Server", async () => {
    const secret = "webhook-secret";
    const port = await freePort();
    const log = pino({ level: "silent" });
    sim.commit(REPO, "main", { ".github/converge.yml": "comment: hello from the sim\n" }, { message: "config" });
    sim.createRepo("acme/empty");
    const n = sim.openIssue(REPO, { title: "Hi", user: "alice" });
    const m = sim.openIssue("acme/empty", { title: "Hi", user: "alice" });
    const seen: unknown[] = [];
    const ProbotSim = Probot.defaults({ appId: sim.appId, privateKey: sim.privateKey, secret, baseUrl: sim.apiUrl, log });
    const server = new Server({ Probot: ProbotSim, port, host: "127.0.0.1", log });
    await server.load((app) => {
      app.on("issues.opened", async (context) => {
        const config = await context.config<{ comment?: string }>("converge.yml");
        seen.push(config);
        await context.octokit.rest.issues.createComment(context.issue({ body: config?.comment ?? "no config" }));
      });
    });
    await server.start();
    try {
      const url = `http://127.0.0.1:${port}/api/github/webhooks`;
      const res = await sendWebhook(url, { event: "issues", payload: sim.events.issues(REPO, "opened", n), secret });
      expect(res.status).toBe(200);
      expect(sim.comments(REPO, n).map((c) => [c.user, c.body])).toEqual([["converge[bot]", "hello from the sim"]]);
      // No config in the repo: Probot falls back to acme/.github, which does not exist → null config.
      // (Probot's throttling spaces comment-creating calls ~3 s apart: this delivery takes that long.)
      await sendWebhook(url, { event: "issues", payload: sim.events.issues("acme/empty", "opened", m), secret });
      expect(sim.comments("acme/empty", m).map((c) => c.body)).toEqual(["no config"]);
      expect(seen).toEqual([{ comment: "hello from the sim" }, null]);
      const forged = await sendWebhook(url, { event: "issues", payload: sim.events.issues(REPO, "opened", n), secret, signature: signWebhook("wrong", "{}") });
      expect(forged.status).toBe(400);
      expect(sim.count({ route: "POST /app/installations/{installation_id}/access_tokens" })).toBe(1);
      expect(sim.unexpected).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});
