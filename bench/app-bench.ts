// Shared by the app suites (preview, deploy, revert, burst, scale): flags,
// running cases in fresh processes, counting GitHub calls the way the rate
// limit does, a benchmark repository on the simulated GitHub with its
// environment deployed in the simulated cluster, and small seeded edits.
import { stringify } from "yaml";
import type { KubeObject } from "../src/manifests/object.js";
import type { CallRecord, GitHubSim } from "../test/support/github/index.js";
import type { Throttle, AppStack } from "./app-stack.js";
import { runIsolated } from "./isolate.js";
import { pick, type Random } from "./random.js";
import type { BenchOptions } from "./types.js";
import { sortCounts } from "./verbs.js";
import { configYaml, ENV_NAME, generateWorkload, type Workload } from "./workload.js";

export const BENCH_REPO = "acme/bench";

/** What every app case gets, plus its own fields. Plain data: it crosses the IPC channel. */
export interface AppCaseInput {
  suite: string;
  throttle: Throttle;
  seed: number;
  latencyMs: number;
  githubLatencyMs: number;
  runs: number;
}

/** --throttle default,off (default: both, production's first). */
export function throttlesOf(opts: BenchOptions, fallback: Throttle[] = ["default", "off"]): Throttle[] {
  const v = opts.flags.throttle;
  if (typeof v !== "string") return fallback;
  const out = v.split(",").filter(Boolean) as Throttle[];
  if (!out.length || out.some((t) => t !== "default" && t !== "off")) throw new Error("--throttle takes default, off or default,off");
  return out;
}

export function baseInput(suite: string, opts: BenchOptions, throttle: Throttle): AppCaseInput {
  const gl = opts.flags["gh-latency"];
  const githubLatencyMs = typeof gl === "string" ? Number(gl) : 0;
  if (!(githubLatencyMs >= 0)) throw new Error("--gh-latency needs a non-negative number of milliseconds");
  return { suite, throttle, seed: opts.seed, latencyMs: opts.latencyMs, githubLatencyMs, runs: opts.runs };
}

/** Runs one case in a fresh Node process (bench/app-case.ts), or here with --isolate=false. */
export async function runAppCase<I extends AppCaseInput, R>(opts: BenchOptions, input: I): Promise<R> {
  if (opts.flags.isolate === "false") {
    const mod = (await import(`./${input.suite}.js`)) as { runCase(i: I): Promise<R> };
    return mod.runCase(input);
  }
  return runIsolated<I, R>(new URL("./app-case.js", import.meta.url), input);
}

/** How the cases ran, for a suite's notes. */
export function caseProcess(opts: BenchOptions): string {
  return opts.flags.isolate === "false" ? "Cases share the bench process (--isolate=false)" : "Each case in a fresh process";
}

export function throttleLabel(t: Throttle): string {
  return t === "default" ? "Probot default" : "off";
}

// ── GitHub calls ────────────────────────────────────────────────────────

/** App-authenticated (JWT) calls: the app's own limit, not the installation's; once per process or per token hour. */
export const APP_ROUTES = new Set([
  "POST /app/installations/{installation_id}/access_tokens",
  "GET /app",
  "GET /app/installations",
  "GET /app/installations/{installation_id}",
  "GET /repos/{owner}/{repo}/installation",
]);
const ARCHIVE_ROUTE_PREFIX = "GET /_codeload/";

export interface CallSummary {
  /** REST API calls of every kind (the codeload archive fetch after a tarball redirect excluded). */
  total: number;
  /** Installation calls that cost rate limit: everything but 304s and app/token calls (what the sim's bucket counts). */
  counted: number;
  notModified: number;
  /** App/token calls, by route: not counted against the installation (listed, not hidden). */
  app: Record<string, number>;
  /** Downloads of the archive a tarball request redirects to (codeload: not a REST call, no rate limit). */
  archives: number;
  /** Counted calls by route, largest first. */
  byRoute: Record<string, number>;
  /** 304s by route. */
  notModifiedByRoute: Record<string, number>;
  writes: number;
}

export function summarizeCalls(calls: CallRecord[]): CallSummary {
  const s: CallSummary = { total: 0, counted: 0, notModified: 0, app: {}, archives: 0, byRoute: {}, notModifiedByRoute: {}, writes: 0 };
  for (const c of calls) {
    const route = c.route ?? `${c.method} ${c.path} (unrouted)`;
    if (route.startsWith(ARCHIVE_ROUTE_PREFIX)) {
      s.archives++;
      continue;
    }
    s.total++;
    if (APP_ROUTES.has(route)) s.app[route] = (s.app[route] ?? 0) + 1;
    else if (c.status === 304) {
      s.notModified++;
      s.notModifiedByRoute[route] = (s.notModifiedByRoute[route] ?? 0) + 1;
    } else if (c.installationId !== undefined) {
      s.counted++;
      s.byRoute[route] = (s.byRoute[route] ?? 0) + 1;
    }
    if (c.method !== "GET" && !APP_ROUTES.has(route)) s.writes++;
  }
  s.byRoute = sortCounts(s.byRoute);
  s.notModifiedByRoute = sortCounts(s.notModifiedByRoute);
  return s;
}

/** "GET /repos/{owner}/{repo}/pulls/{pull_number}/files 1, …" with the owner/repo prefix shortened. */
export function describeRoutes(c: Record<string, number>, limit = 20): string {
  const entries = Object.entries(c);
  const shown = entries.slice(0, limit).map(([k, v]) => `${k.replace("/repos/{owner}/{repo}", "…")} ${v.toLocaleString("en-US")}`);
  if (entries.length > limit) shown.push(`${entries.length - limit} more routes`);
  return shown.join(", ") || "none";
}

/** The used count of the installation's rate-limit bucket (the sim's own accounting). */
export function bucketUsed(gh: GitHubSim, repo = BENCH_REPO): number {
  return gh.rateLimit(gh.installationId(repo)).used;
}

// ── timing ──────────────────────────────────────────────────────────────

export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 120_000, intervalMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Probot's default throttle spaces writes ≥1 s apart and notification-triggering
 * writes (comments, issues, PRs) ≥3 s apart, process-wide, from the previous
 * such write. A measured operation started right after the previous one would
 * pay for the previous one's writes; with the default throttle, wait until the
 * limiters are idle, as they are for a PR arriving on a quiet app.
 */
export async function settle(throttle: Throttle): Promise<void> {
  if (throttle === "default") await new Promise((r) => setTimeout(r, 3_100));
}

/** Resolves true when `p` settles within `ms`, false otherwise (p keeps running). */
export async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** When the simulated GitHub received the first call matching `match` at or after `since` (its call log, ms). */
export function callTime(gh: GitHubSim, since: number, match: (c: CallRecord) => boolean): number | undefined {
  return gh.calls.find((c) => c.at >= since && match(c))?.at;
}

export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export const r0 = (x: number) => Math.round(x);
export const r1 = (x: number) => Math.round(x * 10) / 10;
export const r2 = (x: number) => Math.round(x * 100) / 100;

// ── the benchmark repository ────────────────────────────────────────────

export function fileText(docs: KubeObject[]): string {
  return docs.map((d) => stringify(d, { lineWidth: 0 })).join("---\n");
}

export function repoFiles(w: Workload): Record<string, string> {
  const out: Record<string, string> = { ".github/converge.yml": configYaml() };
  for (const [path, docs] of w.files) out[path] = fileText(docs);
  return out;
}

export interface BenchRepo {
  w: Workload;
  repo: string;
  /** The deployed commit (main when set up). */
  main: string;
  seedMs: number;
}

/**
 * `acme/bench` on the simulated GitHub with a generated tree of n objects,
 * people to author and review, and the tree deployed to the cluster at main's
 * head (plan, apply, verify, record — in the cluster's process).
 */
export async function setupBenchRepo(stack: AppStack, n: number, seed: number): Promise<BenchRepo> {
  const w = await generateWorkload(n, seed);
  stack.gh.createRepo(BENCH_REPO, { files: repoFiles(w) });
  for (const u of ["alice", "bob", "carol"]) stack.gh.addUser(u);
  for (const u of ["bob", "carol"]) stack.gh.setPermission(BENCH_REPO, u, "write");
  const main = stack.gh.ref(BENCH_REPO, "main")!;
  const t0 = performance.now();
  const seeded = await stack.kube.deploy({ root: w.root, environment: ENV_NAME, repository: BENCH_REPO, revision: main });
  if (!seeded.ok) throw new Error(`seeding ${n} objects failed: ${seeded.reason}: ${seeded.message}`);
  return { w, repo: BENCH_REPO, main, seedMs: performance.now() - t0 };
}

/**
 * Edits the first Deployment of `count` distinct files: the image's patch
 * version +1, or `image` when given. Updates the workload in memory and
 * returns the new file texts (for a commit).
 */
export function editDeployments(w: Workload, rnd: Random, count: number, image?: string): Record<string, string> {
  const candidates = [...w.files.keys()].filter((p) => w.files.get(p)!.some((d) => d.kind === "Deployment")).sort();
  const chosen = new Set<string>();
  while (chosen.size < Math.min(count, candidates.length)) chosen.add(pick(rnd, candidates));
  const out: Record<string, string> = {};
  for (const path of [...chosen].sort()) {
    const docs = w.files.get(path)!;
    const dep = docs.find((d) => d.kind === "Deployment")!;
    const c = (dep.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec.containers[0]!;
    c.image = image ?? c.image.replace(/:(\d+)\.(\d+)\.(\d+)$/, (_, a: string, b: string, p: string) => `:${a}.${b}.${Number(p) + 1}`);
    out[path] = fileText(docs);
  }
  return out;
}

export interface Merged {
  number: number;
  sha: string;
  before: string;
}

/** A PR from a new branch with `files`, merged into main by bob (test/support/merge.ts's mergeChange). */
export function mergeChange(gh: GitHubSim, repo: string, branch: string, files: Record<string, string | null>, title = branch): Merged {
  const before = gh.ref(repo, "main")!;
  gh.createBranch(repo, branch, before);
  gh.commit(repo, branch, files, { message: title, author: "alice" });
  const number = gh.openPull(repo, { head: branch, title, user: "alice" });
  const sha = gh.mergePull(repo, number, { user: "bob" });
  return { number, sha, before };
}

export function pushPayload(gh: GitHubSim, repo: string, m: Pick<Merged, "before" | "sha">): unknown {
  return gh.events.push(repo, "refs/heads/main", m.before, m.sha, "bob");
}

/** The state of a Deployment of `sha` ("success", "failure", …) once it has a final one. */
export function finalDeploymentState(gh: GitHubSim, repo: string, sha: string): string | undefined {
  for (const d of gh.deployments(repo).filter((x) => x.sha === sha)) {
    const last = d.statuses.at(-1)?.state;
    if (last === "success" || last === "failure" || last === "error") return last;
  }
  return undefined;
}

export { ENV_NAME };
