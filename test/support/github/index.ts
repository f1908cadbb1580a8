import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { authRoutes, bucketFor, generateAppKeys, mintToken, signAppJwt } from "./auth.js";
import { checkRoutes } from "./checks.js";
import { commitRoutes } from "./commits.js";
import { contentRoutes } from "./contents.js";
import { deploymentRoutes } from "./deployments.js";
import * as events from "./events.js";
import { gitRoutes } from "./git.js";
import { commitFiles, filesAt, setRef } from "./gitops.js";
import type { FileSpec } from "./gitops.js";
import { addComment, issueRoutes, newIssue, setIssueState } from "./issues.js";
import { mergePull, mergeRoutes } from "./merge.js";
import { checkNewPull, openPullRequest, pullJson, pullRoutes } from "./pulls.js";
import { Router } from "./router.js";
import { addReview, addTeamRec, createRepoRec, installApp } from "./setup.js";
import type { InstallOptions, RepoOptions, ReviewState } from "./setup.js";
import { allText } from "./scan.js";
import { SimServer } from "./server.js";
import type { CallRecord, Interceptor } from "./server.js";
import { State } from "./state.js";
import type { AccessLevel, CheckRunRec, CommentRec, DeploymentRec, Perm, RefUpdate, RepoRec, TarExtra, UserRec } from "./state.js";
import { tarballRoutes } from "./tarball.js";
import { teamRoutes } from "./teams.js";

export { signWebhook, sendWebhook } from "./webhooks.js";
export type { WebhookDelivery, WebhookResult } from "./webhooks.js";
export type { CallRecord, InterceptRequest, InterceptResult, Interceptor } from "./server.js";
export type { AccessLevel, CheckRunRec, CommentRec, DeploymentRec, Perm, RefUpdate, ReviewRec, TarExtra } from "./state.js";
export type { InstallOptions, RepoOptions, ReviewState } from "./setup.js";
export { signAppJwt } from "./auth.js";

// A stateful GitHub (REST, GHES-style under /api/v3) on 127.0.0.1 for
// end-to-end tests: the real Probot app and @octokit/rest talk HTTP to it.
// Tests arrange state with the helpers below and assert on what the app did
// (calls, stored bodies, ref updates) — and on `unexpected`, which must stay empty.

export interface GitHubSimOptions {
  appId?: number;
  appSlug?: string;
  latencyMs?: number;
  /** Primary rate limit per installation per hour (GitHub: 5,000). */
  rateLimit?: number;
  /** Clock; `advanceTime` adds to it. */
  now?: () => number;
  /** Secondary limit on content-creating calls per installation per minute; off by default. */
  contentCreationPerMinute?: number;
  /** Send `x-github-enterprise-version` like GHES does (api.github.com does not). */
  enterpriseVersion?: string;
  /** Default permissions of new installations. */
  permissions?: Record<string, AccessLevel>;
}

export interface CallFilter { method?: string; path?: string | RegExp; route?: string; status?: number; installationId?: number }

const DEFAULT_PERMISSIONS: Record<string, AccessLevel> = { checks: "write", contents: "write", deployments: "write", issues: "write", metadata: "read", pull_requests: "write", members: "read", statuses: "write" };

export async function startGitHubSim(opts: GitHubSimOptions = {}): Promise<GitHubSim> {
  const sim = new GitHubSim(opts);
  await sim.listen();
  return sim;
}

export class GitHubSim {
  readonly state: State;
  readonly appId: number;
  readonly appSlug: string;
  readonly privateKey: string;
  readonly publicKey: string;
  url = "";
  private offset = 0;
  private server: SimServer;
  private http: Server;
  private defaultPermissions: Record<string, AccessLevel>;

  constructor(opts: GitHubSimOptions = {}) {
    const clock = opts.now ?? Date.now;
    this.appId = opts.appId ?? 4242;
    this.appSlug = opts.appSlug ?? "converge";
    this.state = new State(this.appId, this.appSlug, () => clock() + this.offset);
    this.state.rateLimit = opts.rateLimit ?? 5000;
    this.state.user(this.state.botLogin, "Bot");
    ({ privateKey: this.privateKey, publicKey: this.publicKey } = generateAppKeys());
    this.defaultPermissions = opts.permissions ?? DEFAULT_PERMISSIONS;
    const router = new Router([...authRoutes, ...teamRoutes, ...gitRoutes, ...checkRoutes, ...pullRoutes, ...mergeRoutes,
      ...commitRoutes, ...contentRoutes, ...issueRoutes, ...deploymentRoutes, ...tarballRoutes]);
    this.server = new SimServer(this.state, this.publicKey, router, { latencyMs: opts.latencyMs ?? 0, contentCreationPerMinute: opts.contentCreationPerMinute, enterpriseVersion: opts.enterpriseVersion });
    this.http = createServer((req, res) => { void this.server.handle(req, res); });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.http.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
    this.state.urls = { api: `${this.url}/api/v3`, web: this.url };
  }

  /** Base URL for octokit / Probot (`baseUrl`). */
  get apiUrl(): string { return this.state.urls.api; }

  async close(): Promise<void> {
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  // ── bookkeeping ──────────────────────────────────────────────────────
  get calls(): CallRecord[] { return this.server.calls; }
  get unexpected(): CallRecord[] { return this.server.unexpected; }
  /** Calls per route template ("GET /repos/{owner}/{repo}/pulls/{pull_number}"); survives resetCalls. */
  get counters(): Record<string, number> { return Object.fromEntries(this.server.counters); }
  get refUpdates(): RefUpdate[] { return this.state.refUpdates; }
  /** Ref updates made through the API with force: true (Converge must never force-push). */
  get forcePushes(): RefUpdate[] { return this.state.refUpdates.filter((u) => u.via === "api" && u.force); }
  get latencyMs(): number { return this.server.config.latencyMs; }
  set latencyMs(ms: number) { this.server.config.latencyMs = ms; }

  count(filter: CallFilter | ((c: CallRecord) => boolean) = {}): number {
    if (typeof filter === "function") return this.calls.filter(filter).length;
    return this.calls.filter((c) => (!filter.method || c.method === filter.method.toUpperCase())
      && (!filter.route || c.route === filter.route) && (filter.status === undefined || c.status === filter.status)
      && (filter.installationId === undefined || c.installationId === filter.installationId)
      && (filter.path === undefined || (typeof filter.path === "string" ? c.path === filter.path : filter.path.test(c.path)))).length;
  }

  /** Forgets recorded calls (counters stay). `unexpected` is kept on purpose: it is a failure record. */
  resetCalls(): void { this.calls.length = 0; }

  /** For tests that provoke unexpected requests deliberately. */
  clearUnexpected(): void { this.unexpected.length = 0; }

  /** Adds a fault injector; return a response to short-circuit a request. Returns a remover. */
  intercept(fn: Interceptor): () => void {
    this.server.interceptors.push(fn);
    return () => { const i = this.server.interceptors.indexOf(fn); if (i >= 0) this.server.interceptors.splice(i, 1); };
  }

  allText(opts: { blobs?: boolean } = {}): string { return allText(this.state, opts); }

  advanceTime(ms: number): void { this.offset += ms; }

  rateLimit(installationId: number): { limit: number; remaining: number; used: number; reset: number } {
    const { bucket } = bucketFor(this.state, { kind: "installation", installation: this.state.installations.get(installationId)!, token: undefined! });
    return { limit: bucket.limit, used: bucket.used, remaining: Math.max(0, bucket.limit - bucket.used), reset: Math.floor((bucket.windowStart + 3600_000) / 1000) };
  }

  /** Pretend the installation already spent its budget down to `remaining`. */
  setRateLimitRemaining(installationId: number, remaining: number): void {
    const { bucket } = bucketFor(this.state, { kind: "installation", installation: this.state.installations.get(installationId)!, token: undefined! });
    bucket.used = Math.max(0, bucket.limit - remaining);
  }

  // ── auth helpers ────────────────────────────────────────────────────
  /** An app JWT signed with the real clock (what @octokit/auth-app would send). */
  appJwt(): string { return signAppJwt(this.appId, this.privateKey); }
  /** Mints a token directly (no HTTP call), for tests that only need repo access. */
  installationToken(installationId: number): string { return mintToken(this.state, installationId).token; }
  installationId(ownerOrRepo: string): number {
    const i = this.state.installationFor(ownerOrRepo.split("/")[0]);
    if (!i) throw new Error(`simulated GitHub: no installation for ${ownerOrRepo}`);
    return i.id;
  }

  install(owner: string, opts: InstallOptions = {}): number {
    return installApp(this.state, owner, opts, this.defaultPermissions);
  }


  // ── users, teams, repos ─────────────────────────────────────────────
  addUser(login: string, opts: { type?: UserRec["type"]; name?: string; email?: string } = {}): number {
    const u = this.state.user(login, opts.type);
    if (opts.name) u.name = opts.name;
    if (opts.email) u.email = opts.email;
    return u.id;
  }

  addTeam(org: string, slug: string, members: string[], opts: { maintainers?: string[]; name?: string } = {}): number {
    return addTeamRec(this.state, org, slug, members, opts);
  }


  setPermission(repo: string, user: string, perm: Perm): void {
    this.state.user(user);
    this.repo(repo).permissions.set(user.toLowerCase(), perm);
  }

  /** Creates `owner/name` (empty unless `files` given) and, unless install: false, installs the app on the owner. */
  createRepo(fullName: string, opts: RepoOptions = {}): { id: number; fullName: string; installationId?: number } {
    const r = createRepoRec(this.state, fullName, opts);
    let installationId: number | undefined;
    if (opts.install !== false) {
      installationId = this.install(r.owner);
      const inst = this.state.installations.get(installationId)!;
      if (inst.selection === "selected") inst.repos.add(fullName.toLowerCase());
    }
    if (opts.files) this.commit(fullName, r.defaultBranch, opts.files, { message: "Initial commit" });
    return { id: r.id, fullName, installationId };
  }


  // ── git ─────────────────────────────────────────────────────────────
  /** Commits a file map (null deletes) on top of `branch` (created if missing) and moves it. */
  commit(repo: string, branch: string, files: Record<string, FileSpec>, opts: { message: string; author?: string; parents?: string[] }): string {
    return commitFiles(this.state, this.repo(repo), branch, files, opts);
  }

  files(repo: string, ref: string): Record<string, string> { return filesAt(this.state, this.repo(repo), ref); }

  /** SHA a branch / ref / short SHA resolves to, or undefined. */
  ref(repo: string, ref: string): string | undefined { return this.state.resolve(this.repo(repo), ref); }

  createBranch(repo: string, branch: string, from: string): string {
    const r = this.repo(repo);
    const sha = this.state.resolve(r, from);
    if (!sha) throw new Error(`simulated GitHub: ${repo} has no ref ${from}`);
    setRef(this.state, r, `refs/heads/${branch}`, sha, { via: "helper" });
    return sha;
  }

  addTarballSymlink(repo: string, sha: string, path: string, target: string): void {
    this.addTarballEntry(repo, sha, { path, type: "symlink", target });
  }

  addTarballEntry(repo: string, sha: string, entry: TarExtra): void {
    const r = this.repo(repo);
    const full = this.state.resolve(r, sha) ?? sha;
    r.tarExtras.set(full, [...(r.tarExtras.get(full) ?? []), entry]);
  }

  // ── issues, pulls, reviews ──────────────────────────────────────────
  openPull(repo: string, o: { head: string; base?: string; title?: string; body?: string; user?: string; draft?: boolean }): number {
    const r = this.repo(repo);
    const base = o.base ?? r.defaultBranch;
    const invalid = checkNewPull(this.state, r, o.head, base);
    if (invalid) throw new Error(`simulated GitHub: cannot open PR ${o.head} → ${base}: ${JSON.stringify(invalid.body)}`);
    const user = o.user ?? r.owner;
    this.state.user(user);
    return openPullRequest(this.state, r, { head: o.head, base, title: o.title ?? o.head, body: o.body ?? null, user, draft: o.draft, viaApp: false }).number;
  }

  /** The pull request as `GET /pulls/{n}` returns it. */
  pull(repo: string, n: number): Record<string, any> {
    const r = this.repo(repo);
    const i = r.issues.get(n);
    if (!i?.pull) throw new Error(`simulated GitHub: ${repo}#${n} is not a pull request`);
    return pullJson(this.state, r, i, true) as Record<string, any>;
  }

  review(repo: string, n: number, o: { user: string; state: ReviewState; commit_id?: string; body?: string }): number {
    return addReview(this.state, this.repo(repo), n, o);
  }


  dismissReview(reviewId: number): void {
    const rv = this.state.reviews.find((x) => x.id === reviewId);
    if (rv) rv.state = "DISMISSED";
  }

  /** Merges like a person pressing the button; returns the new base-branch SHA. */
  mergePull(repo: string, n: number, o: { user?: string; method?: "merge" | "squash" } = {}): string {
    const r = this.repo(repo);
    const i = r.issues.get(n);
    if (!i?.pull) throw new Error(`simulated GitHub: ${repo}#${n} is not a pull request`);
    const res = mergePull(this.state, r, i, { user: o.user ?? r.owner, method: o.method ?? "merge" });
    if (res.status !== 200) throw new Error(`simulated GitHub: merge of ${repo}#${n} failed: ${JSON.stringify(res.body)}`);
    return (res.body as { sha: string }).sha;
  }

  /** Forces `mergeable` (undefined = computed from a trial merge). */
  setMergeable(repo: string, n: number, value: boolean | undefined): void {
    const p = this.repo(repo).issues.get(n)?.pull;
    if (p) p.mergeable = value;
  }

  closeIssue(repo: string, n: number, user?: string): void {
    const r = this.repo(repo);
    const i = r.issues.get(n);
    if (i) setIssueState(this.state, r, i, "closed", user ?? r.owner);
  }

  openIssue(repo: string, o: { title: string; body?: string; user?: string; labels?: string[] }): number {
    const r = this.repo(repo);
    return newIssue(this.state, r, { title: o.title, body: o.body ?? null, user: this.state.user(o.user ?? r.owner).login, viaApp: false, labels: o.labels }).number;
  }

  /** A comment by a person (e.g. a "/converge apply" command). */
  addComment(repo: string, n: number, o: { user: string; body: string }): number {
    const r = this.repo(repo);
    const i = r.issues.get(n);
    if (!i) throw new Error(`simulated GitHub: ${repo} has no issue #${n}`);
    return addComment(this.state, r, i, o.body, this.state.user(o.user).login, false).id;
  }

  comments(repo: string, n: number): CommentRec[] {
    const key = repo.toLowerCase();
    return [...this.state.comments.values()].filter((c) => c.repo === key && c.issue === n);
  }

  checkRuns(repo: string, sha?: string): CheckRunRec[] {
    const key = repo.toLowerCase();
    return [...this.state.checkRuns.values()].filter((c) => c.repo === key && (!sha || c.headSha === sha));
  }

  deployments(repo: string): DeploymentRec[] {
    const key = repo.toLowerCase();
    return [...this.state.deployments.values()].filter((d) => d.repo === key);
  }

  // ── webhook payloads built from this state ──────────────────────────
  readonly events = {
    pullRequest: (repo: string, action: string, n: number, sender?: string) => events.pullRequestEvent(this.state, this.repo(repo), action, n, sender),
    issues: (repo: string, action: string, n: number, sender?: string) => events.issuesEvent(this.state, this.repo(repo), action, n, sender),
    issueComment: (repo: string, action: string, commentId: number) => events.issueCommentEvent(this.state, this.repo(repo), action, commentId),
    review: (repo: string, action: string, reviewId: number) => events.reviewEvent(this.state, this.repo(repo), action, reviewId),
    checkRun: (repo: string, action: string, checkRunId: number, sender: string) => events.checkRunEvent(this.state, this.repo(repo), action, checkRunId, sender),
    push: (repo: string, ref: string, before: string, after: string, pusher?: string) => events.pushEvent(this.state, this.repo(repo), ref, before, after, pusher),
  };

  private repo(fullName: string): RepoRec { return this.state.requireRepo(fullName); }
}
