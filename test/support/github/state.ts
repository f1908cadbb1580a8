import { ObjectStore } from "./objects.js";
import type { Person } from "./objects.js";
import { iso } from "./http.js";

// Everything the simulated GitHub remembers. Plain records, no behaviour
// beyond lookups: the API areas (git.ts, pulls.ts, …) own the rules.

export type Perm = "admin" | "write" | "read" | "none";
export type AccessLevel = "read" | "write";

export interface UserRec { login: string; id: number; type: "User" | "Bot" | "Organization"; name: string | null; email: string | null }

export interface InstallationRec {
  id: number;
  account: string;
  selection: "all" | "selected";
  repos: Set<string>;
  permissions: Record<string, AccessLevel>;
  events: string[];
  createdAt: string;
}

export interface TokenRec { token: string; installationId: number; expiresAt: number; permissions: Record<string, AccessLevel>; repos?: Set<string> }

export interface LabelRec { id: number; name: string; color: string; description: string | null }

export interface PullRec {
  id: number;
  headRef: string;
  /** Head SHA frozen when the PR closes; while open it follows the head branch. */
  headSha: string;
  baseRef: string;
  /** Base branch head, likewise frozen on close. */
  baseSha: string;
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergedBy: string | null;
  mergeCommitSha: string | null;
  requestedReviewers: string[];
  requestedTeams: string[];
  /** Test override; undefined = computed from a trial merge. */
  mergeable?: boolean;
}

export interface IssueRec {
  id: number;
  number: number;
  title: string;
  body: string | null;
  user: string;
  state: "open" | "closed";
  stateReason: string | null;
  labels: string[];
  assignees: string[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  closedBy: string | null;
  viaApp: boolean;
  pull?: PullRec;
}

export interface CommentRec { id: number; repo: string; issue: number; body: string; user: string; createdAt: string; updatedAt: string; viaApp: boolean }

export interface ReviewRec { id: number; repo: string; number: number; user: string; state: string; body: string; commitId: string; submittedAt: string }

export interface Annotation { path: string; start_line: number; end_line: number; start_column?: number; end_column?: number; annotation_level: string; message: string; title?: string; raw_details?: string }

export interface CheckRunRec {
  id: number; repo: string; name: string; headSha: string; status: string; conclusion: string | null;
  startedAt: string; completedAt: string | null; externalId: string; detailsUrl: string | null;
  output: { title: string | null; summary: string | null; text: string | null }; annotations: Annotation[]; suiteId: number;
}

export interface DeploymentStatusRec { id: number; state: string; description: string; logUrl: string; environmentUrl: string; environment: string; creator: string; createdAt: string }

export interface DeploymentRec {
  id: number; repo: string; sha: string; ref: string; task: string; payload: unknown; environment: string; originalEnvironment: string;
  description: string | null; creator: string; createdAt: string; updatedAt: string; transient: boolean; production: boolean;
  statuses: DeploymentStatusRec[];
}

export interface TeamRec { id: number; org: string; slug: string; name: string; members: Map<string, "member" | "maintainer"> }

/** Extra tarball entry; `path` is below the top directory unless `raw` (then used verbatim, e.g. "/etc/x"). */
export interface TarExtra { path: string; type: "symlink" | "hardlink" | "file" | "dir"; target?: string; content?: string; raw?: boolean }

export interface RepoRec {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  private: boolean;
  defaultBranch: string;
  createdAt: string;
  pushedAt: string;
  objects: ObjectStore;
  /** Full ref name ("refs/heads/main") → commit SHA. */
  refs: Map<string, string>;
  issues: Map<number, IssueRec>;
  nextNumber: number;
  labels: Map<string, LabelRec>;
  permissions: Map<string, Perm>;
  tarExtras: Map<string, TarExtra[]>;
}

export interface RefUpdate { repo: string; ref: string; from: string | null; to: string | null; force: boolean; fastForward: boolean; via: "api" | "helper" | "merge" }

export interface RateBucket { limit: number; used: number; windowStart: number }

export class State {
  readonly users = new Map<string, UserRec>();
  readonly repos = new Map<string, RepoRec>();
  readonly installations = new Map<number, InstallationRec>();
  readonly tokens = new Map<string, TokenRec>();
  readonly comments = new Map<number, CommentRec>();
  readonly reviews: ReviewRec[] = [];
  readonly checkRuns = new Map<number, CheckRunRec>();
  /** Check suite id per "repo@sha" (one suite per commit for our single app). */
  readonly checkSuites = new Map<string, number>();
  readonly deployments = new Map<number, DeploymentRec>();
  readonly teams = new Map<string, TeamRec>();
  /** Tarball download tokens (the `?token=` codeload URLs carry) → repo key. */
  readonly tarballTokens = new Map<string, string>();
  /** Every ref change: API PATCH/POST/DELETE and helper pushes (so tests can assert no force-push). */
  readonly refUpdates: RefUpdate[] = [];
  /** Primary rate-limit buckets: "installation:<id>", "app", "anonymous". */
  readonly rateBuckets = new Map<string, RateBucket>();
  rateLimit = 5000;
  /** Set once the server listens: API base (`…/api/v3`) and web base for html_url fields. */
  urls = { api: "", web: "" };
  private ids = new Map<string, number>();

  constructor(readonly appId: number, readonly appSlug: string, readonly now: () => number) {}

  /** Per-kind id sequences; different kinds start apart so an id never matches by accident. */
  nextId(kind: string): number {
    const next = (this.ids.get(kind) ?? startFor(kind)) + 1;
    this.ids.set(kind, next);
    return next;
  }

  timestamp(): string { return iso(this.now()); }

  get botLogin(): string { return `${this.appSlug}[bot]`; }

  /** Get or register a user; logins ending in "[bot]" are Bots like GitHub Apps' actors. */
  user(login: string, type?: UserRec["type"]): UserRec {
    const key = login.toLowerCase();
    let u = this.users.get(key);
    if (!u) {
      u = { login, id: this.nextId("user"), type: type ?? (login.endsWith("[bot]") ? "Bot" : "User"), name: null, email: null };
      this.users.set(key, u);
    }
    return u;
  }

  findUser(login: string): UserRec | undefined { return this.users.get(login.toLowerCase()); }

  repo(fullName: string): RepoRec | undefined { return this.repos.get(fullName.toLowerCase()); }

  requireRepo(fullName: string): RepoRec {
    const r = this.repo(fullName);
    if (!r) throw new Error(`simulated GitHub: no repository ${fullName} (call createRepo first)`);
    return r;
  }

  /** Git identity for a login, with GitHub's noreply address so commits map back to the user. */
  person(login: string): Person {
    const u = this.user(login);
    return { name: u.name ?? login, email: u.email ?? `${u.id}+${login}@users.noreply.github.com`, date: this.timestamp() };
  }

  /** Reverse of person(): which registered user an email belongs to (for REST commit author objects). */
  userByEmail(email: string): UserRec | undefined {
    const m = /^\d+\+(.+)@users\.noreply\.github\.com$/.exec(email);
    if (m) return this.findUser(m[1]);
    return [...this.users.values()].find((u) => u.email === email);
  }

  installationFor(owner: string): InstallationRec | undefined {
    return [...this.installations.values()].find((i) => i.account.toLowerCase() === owner.toLowerCase());
  }

  team(org: string, slug: string): TeamRec | undefined { return this.teams.get(`${org}/${slug}`.toLowerCase()); }

  /** Resolves a branch name, tag name, full ref, or (short) SHA to a commit SHA. */
  resolve(repo: RepoRec, ref: string): string | undefined {
    for (const candidate of [ref, `refs/heads/${ref}`, `refs/tags/${ref}`]) {
      const sha = repo.refs.get(candidate);
      if (sha) return sha;
    }
    const sha = repo.objects.expand(ref.toLowerCase());
    return sha && repo.objects.typeOf(sha) === "commit" ? sha : undefined;
  }
}

function startFor(kind: string): number {
  const bases: Record<string, number> = { user: 1000, repo: 5000, installation: 100, comment: 1_000_000, issue: 2_000_000, pull: 3_000_000, review: 4_000_000, check: 5_000_000, suite: 6_000_000, deployment: 7_000_000, status: 8_000_000, label: 9_000_000, team: 300 };
  return bases[kind] ?? 0;
}
