// The whole product on one machine for end-to-end tests: the simulated
// GitHub, the simulated Kubernetes API server, and the real Probot app
// (createConverge) behind Probot's HTTP server, receiving signed webhooks.
import { createServer, type AddressInfo } from "node:net";
import { mkdtemp, readdir, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pino, type DestinationStream } from "pino";
import { Probot, ProbotOctokit, Server } from "probot";
import { startGitHubSim, sendWebhook, type GitHubSim, type GitHubSimOptions } from "./github/index.js";
import { ensureLabel } from "./github/issues.js";
import { labelJson } from "./github/shapes.js";
import { startKubeSim, type KubeSim, type KubeSimOptions } from "./kube/index.js";
import { FIXTURE_REPOS } from "./workspace.js";
import { createConverge } from "../../src/index.js";
import type { ConvergeOptions, Runtime } from "../../src/runtime.js";
import type { ClusterRegistry } from "../../src/config/index.js";
import { forgetComments } from "../../src/github/comments.js";

export const WEBHOOK_SECRET = "e2e-webhook-secret";

export interface Stack {
  gh: GitHubSim;
  kube: KubeSim;
  kubeconfigPath: string;
  appUrl: string;
  rt: Runtime;
  /** Sends a signed webhook and returns the HTTP answer (the work itself is queued). */
  send(event: string, payload: unknown, id?: string): Promise<{ status: number; ms: number }>;
  /** Sends, then waits until every queued job finished. */
  deliver(event: string, payload: unknown, id?: string): Promise<void>;
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface StackOptions {
  github?: GitHubSimOptions;
  kube?: KubeSimOptions;
  /** Repository restrictions for the "sim" cluster (default: acme/*). */
  repositories?: string[];
  namespaces?: string[];
  logLevel?: string;
  /** 0 (default in tests) = no reconcile timer; call rt.reconciler.runOnce() explicitly. */
  reconcileIntervalMs?: number;
  verifyTimeoutMs?: number;
  pollMs?: number;
  identity?: string;
  /** Where log lines go (JSON, one per line); default stdout. Tests capture it to check what is logged. */
  logStream?: DestinationStream;
  /** More app options (status page token, notification URL, …). */
  converge?: Partial<ConvergeOptions>;
  /**
   * Probot's Octokit. throttle "off" (default): no throttle plugin at all.
   * "unspaced": the plugin stays, with Probot's own rate-limit handlers (what
   * production runs: it gives up on secondary limits), minus its write spacing.
   * retryAfterBaseMs: @octokit/plugin-retry's backoff unit (1000 = 1 s, 4 s, 9 s).
   */
  octokit?: { throttle?: "off" | "unspaced"; retryAfterBaseMs?: number };
}

/** Bottleneck-shaped limiters that run every job at once: the throttle plugin without its spacing. */
const passThrough = { key: () => ({ schedule: (_opts: unknown, fn: (...a: unknown[]) => unknown, ...args: unknown[]) => Promise.resolve().then(() => fn(...args)) }) };
const UNSPACED = { enabled: true, global: passThrough, auth: passThrough, search: passThrough, write: passThrough, notifications: passThrough };

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

/** `share`: attach another app (a second replica) to an existing stack's simulators. */
export async function startStack(opts: StackOptions = {}, share?: Stack): Promise<Stack> {
  // Comment ids are cached per "owner/repo#n" for the whole process; a second
  // stack in the same test file has its own simulated GitHub with the same names.
  if (!share) forgetComments();
  const gh = share?.gh ?? (await startGitHubSim(opts.github));
  const kube = share?.kube ?? (await startKubeSim(opts.kube));
  const kubeconfigPath = share?.kubeconfigPath ?? kube.writeKubeconfig(await mkdtemp(join(tmpdir(), "converge-stack-")));
  const registry: ClusterRegistry = {
    file: "test-registry.yaml",
    clusters: [{ name: "sim", kubeconfig: kubeconfigPath, inCluster: false, repositories: opts.repositories ?? ["acme/*"], namespaces: opts.namespaces, allowClusterScoped: true }],
  };
  const log = pino({ level: opts.logLevel ?? process.env.CONVERGE_TEST_LOG ?? "silent" }, opts.logStream);
  // Probot's throttling spaces writes ~1 s apart (GitHub's advice for content
  // creation); tests turn it off so they measure Converge, not the throttle.
  // (A function, not an object: Probot layers its own throttle options on top
  // of object defaults, and this function runs last.)
  const Octokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({
    ...o,
    throttle: { ...(o.throttle as object), ...(opts.octokit?.throttle === "unspaced" ? UNSPACED : { enabled: false }) },
    ...(opts.octokit?.retryAfterBaseMs !== undefined ? { retry: { ...(o.retry as object), retryAfterBaseValue: opts.octokit.retryAfterBaseMs } } : {}),
  }));
  const ProbotSim = Probot.defaults({ appId: gh.appId, privateKey: gh.privateKey, secret: WEBHOOK_SECRET, baseUrl: gh.apiUrl, log, Octokit });
  const port = await freePort();
  const server = new Server({ Probot: ProbotSim, port, host: "127.0.0.1", log });
  let rt!: Runtime;
  await server.load(createConverge({ registry, reconcileIntervalMs: opts.reconcileIntervalMs ?? 0, verifyTimeoutMs: opts.verifyTimeoutMs, pollMs: opts.pollMs ?? 50, identity: opts.identity, ...opts.converge }, (r) => (rt = r)));
  await server.start();
  const appUrl = `http://127.0.0.1:${port}`;
  let seq = 0;
  const send = async (event: string, payload: unknown, id?: string) => {
    const res = await sendWebhook(`${appUrl}/api/github/webhooks`, { event, payload, secret: WEBHOOK_SECRET, id: id ?? `delivery-${++seq}-${Date.now()}` });
    return { status: res.status, ms: res.ms };
  };
  const idle = () => rt.queue.idle();
  return {
    gh,
    kube,
    kubeconfigPath,
    appUrl,
    get rt() {
      return rt;
    },
    send,
    async deliver(event, payload, id) {
      const res = await send(event, payload, id);
      if (res.status >= 300) throw new Error(`webhook ${event} answered ${res.status}`);
      await idle();
    },
    idle,
    async close() {
      rt?.reconciler?.stop();
      await rt?.queue.idle();
      rt?.clusters.close();
      await server.stop();
      if (share) return; // the simulators belong to the first stack
      await gh.close();
      await kube.close();
    },
  };
}

/** A fixture repository's files as a map, for GitHubSim.createRepo / commit. */
export async function fixtureFiles(name: string): Promise<Record<string, string>> {
  const root = join(FIXTURE_REPOS, name);
  const out: Record<string, string> = {};
  async function walk(dir: string): Promise<void> {
    for (const entry of await readdir(dir)) {
      const full = join(dir, entry);
      if ((await stat(full)).isDirectory()) await walk(full);
      else out[relative(root, full)] = await readFile(full, "utf8");
    }
  }
  await walk(root);
  return out;
}

/** Labels a pull request the way a person does in the UI; returns the `pull_request.labeled` payload GitHub then sends. */
export function labelPull(gh: GitHubSim, repo: string, n: number, name: string, sender: string): Record<string, unknown> {
  const r = gh.state.requireRepo(repo);
  const issue = r.issues.get(n);
  if (!issue?.pull) throw new Error(`${repo}#${n} is not a pull request`);
  const label = ensureLabel(gh.state, r, name);
  if (!issue.labels.some((l) => l.toLowerCase() === name.toLowerCase())) issue.labels.push(label.name);
  return { ...(gh.events.pullRequest(repo, "labeled", n, sender) as Record<string, unknown>), label: labelJson(gh.state, r, label) };
}

/**
 * A merge queue entry for PR `n`: the queue's temporary branch
 * (gh-readonly-queue/<base>/pr-<n>-<base sha>) with a merge commit of the PR
 * head onto the base, and the `merge_group.checks_requested` payload GitHub
 * sends for it (the simulator has no builder for this event).
 */
export function mergeGroupEvent(gh: GitHubSim, repo: string, n: number): { sha: string; payload: Record<string, unknown> } {
  const pull = gh.pull(repo, n);
  const baseRef: string = pull.base.ref;
  const baseSha = gh.ref(repo, baseRef)!;
  const headSha: string = pull.head.sha;
  const branch = `gh-readonly-queue/${baseRef}/pr-${n}-${baseSha}`;
  const message = `Merge pull request #${n} from ${pull.head.label}\n\n${pull.title}`;
  const sha = gh.commit(repo, branch, gh.files(repo, headSha), { message, parents: [baseSha, headSha] });
  const envelope = gh.events.pullRequest(repo, "opened", n) as Record<string, unknown>;
  const who = { name: "GitHub", email: "noreply@github.com" };
  return {
    sha,
    payload: {
      action: "checks_requested",
      merge_group: {
        head_sha: sha,
        head_ref: `refs/heads/${branch}`,
        base_sha: baseSha,
        base_ref: `refs/heads/${baseRef}`,
        head_commit: { id: sha, tree_id: gh.state.requireRepo(repo).objects.commit(sha)!.tree, message, timestamp: new Date().toISOString(), author: who, committer: who },
      },
      repository: envelope.repository,
      ...(envelope.organization ? { organization: envelope.organization } : {}),
      sender: envelope.sender,
      installation: envelope.installation,
    },
  };
}
