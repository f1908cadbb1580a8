import { headSha } from "./pulls.js";
import { ObjectStore } from "./objects.js";
import type { AccessLevel, RepoRec, ReviewRec, State } from "./state.js";

// Arrangement helpers behind GitHubSim's methods: installing the app, creating
// repositories and teams, and submitting reviews the way people would in the UI.

export interface InstallOptions { repositories?: string[]; permissions?: Record<string, AccessLevel>; events?: string[] }
export interface RepoOptions { defaultBranch?: string; private?: boolean; install?: boolean; files?: Record<string, string>; ownerType?: "User" | "Organization" }
export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED";

/** Installs the app on `owner` (or updates that installation); `repositories` makes it a "selected repositories" install. */
export function installApp(s: State, owner: string, opts: InstallOptions, defaults: Record<string, AccessLevel>): number {
  const existing = s.installationFor(owner);
  if (existing) {
    // Re-installing changes the settings, like editing the installation in GitHub's UI.
    if (opts.permissions) existing.permissions = { ...opts.permissions };
    if (opts.events) existing.events = opts.events;
    if (opts.repositories) {
      existing.selection = "selected";
      existing.repos = new Set(opts.repositories.map((r) => (r.includes("/") ? r : `${owner}/${r}`).toLowerCase()));
    }
    return existing.id;
  }
  if (!s.findUser(owner)) s.user(owner, "Organization");
  const id = s.nextId("installation");
  s.installations.set(id, {
    id, account: s.findUser(owner)!.login, selection: opts.repositories ? "selected" : "all",
    repos: new Set((opts.repositories ?? []).map((r) => (r.includes("/") ? r : `${owner}/${r}`).toLowerCase())),
    permissions: opts.permissions ?? { ...defaults }, events: opts.events ?? ["check_run", "issue_comment", "pull_request", "pull_request_review", "push"],
    createdAt: s.timestamp(),
  });
  return id;
}

/** An empty repository record (no refs until something is committed). */
export function createRepoRec(s: State, fullName: string, opts: RepoOptions): RepoRec {
  const [owner, name] = fullName.split("/");
  if (!owner || !name) throw new Error(`simulated GitHub: repository name must be owner/name, got ${fullName}`);
  if (s.repo(fullName)) throw new Error(`simulated GitHub: ${fullName} already exists`);
  if (!s.findUser(owner)) s.user(owner, opts.ownerType ?? "Organization");
  const now = s.timestamp();
  const r: RepoRec = {
    id: s.nextId("repo"), owner: s.findUser(owner)!.login, name, fullName, private: opts.private ?? true, defaultBranch: opts.defaultBranch ?? "main",
    createdAt: now, pushedAt: now, objects: new ObjectStore(), refs: new Map(), issues: new Map(), nextNumber: 1, labels: new Map(),
    permissions: new Map(), tarExtras: new Map(),
  };
  s.repos.set(fullName.toLowerCase(), r);
  return r;
}

export function addTeamRec(s: State, org: string, slug: string, members: string[], opts: { maintainers?: string[]; name?: string }): number {
  if (!s.findUser(org)) s.user(org, "Organization");
  const team = { id: s.nextId("team"), org, slug, name: opts.name ?? slug, members: new Map<string, "member" | "maintainer">() };
  for (const m of members) team.members.set(s.user(m).login.toLowerCase(), "member");
  for (const m of opts.maintainers ?? []) team.members.set(s.user(m).login.toLowerCase(), "maintainer");
  s.teams.set(`${org}/${slug}`.toLowerCase(), team);
  return team.id;
}

/** A submitted review, pinned to `commit_id` (default: the PR's current head), as GitHub records it. */
export function addReview(s: State, r: RepoRec, n: number, o: { user: string; state: ReviewState; commit_id?: string; body?: string }): number {
  const i = r.issues.get(n);
  if (!i?.pull) throw new Error(`simulated GitHub: ${r.fullName}#${n} is not a pull request`);
  const login = s.user(o.user).login;
  const rv: ReviewRec = { id: s.nextId("review"), repo: r.fullName.toLowerCase(), number: n, user: login, state: o.state,
    body: o.body ?? "", commitId: o.commit_id ?? headSha(s, r, i), submittedAt: s.timestamp() };
  s.reviews.push(rv);
  // Reviewing satisfies a pending review request, as on GitHub.
  i.pull.requestedReviewers = i.pull.requestedReviewers.filter((u) => u.toLowerCase() !== login.toLowerCase());
  return rv.id;
}
