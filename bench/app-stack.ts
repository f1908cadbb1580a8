// The whole product for the app suites: the simulated GitHub (in this
// process), a simulated cluster with its controllers (its own process,
// bench/kube-cluster.ts) and the real Probot app (createConverge) behind
// Probot's HTTP server, receiving signed webhooks — test/support/stack.ts's
// shape, with the two things a benchmark needs that the test stack does not
// offer: Probot's DEFAULT Octokit throttle (what production runs), and the
// Probot instance itself (to drive the reconcile walk with a fake clock).
import { pino } from "pino";
import { Probot, ProbotOctokit, Server } from "probot";
import { createConverge } from "../src/index.js";
import type { Runtime } from "../src/runtime.js";
import { startGitHubSim, sendWebhook, type GitHubSim } from "../test/support/github/index.js";
import { freePort, WEBHOOK_SECRET } from "../test/support/stack.js";
import { startCluster, type Cluster, type SerializableScenario } from "./kube-cluster.js";

/**
 * "default": Probot's Octokit as production runs it — @octokit/plugin-throttling
 * with Probot's handlers: writes at most one per second and notification-
 * triggering writes (comments, issues, PRs) one per 3 s, process-wide.
 * "off": no throttle plugin (what the tests run).
 */
export type Throttle = "default" | "off";

export interface AppStackOptions {
  throttle: Throttle;
  kubeLatencyMs: number;
  githubLatencyMs?: number;
  /** Primary rate limit per installation and hour (the sim's; default 5,000). */
  githubRateLimit?: number;
  scenario?: SerializableScenario;
  /** Verification poll interval; undefined = the product's default (500 ms, growing to 2 s). */
  pollMs?: number;
  verifyTimeoutMs?: number;
}

export interface AppStack {
  gh: GitHubSim;
  kube: Cluster;
  app: Probot;
  rt: Runtime;
  appUrl: string;
  throttle: Throttle;
  /** A signed webhook; returns the HTTP status and how long the answer took. */
  send(event: string, payload: unknown, id?: string): Promise<{ status: number; ms: number }>;
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function startAppStack(opts: AppStackOptions): Promise<AppStack> {
  const [gh, kube] = await Promise.all([
    startGitHubSim({ latencyMs: opts.githubLatencyMs ?? 0, rateLimit: opts.githubRateLimit }),
    startCluster(opts.kubeLatencyMs, opts.scenario ?? { readyAfterMs: 200 }),
  ]);
  const log = pino({ level: process.env.CONVERGE_BENCH_LOG ?? "silent" });
  // A function, not an object: Probot layers its own throttle options over object defaults.
  const Octokit = opts.throttle === "off" ? ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, throttle: { ...(o.throttle as object), enabled: false } })) : ProbotOctokit;
  const ProbotSim = Probot.defaults({ appId: gh.appId, privateKey: gh.privateKey, secret: WEBHOOK_SECRET, baseUrl: gh.apiUrl, log, Octokit });
  const port = await freePort();
  const server = new Server({ Probot: ProbotSim, port, host: "127.0.0.1", log });
  let rt!: Runtime;
  let app!: Probot;
  const converge = createConverge(
    {
      registry: { file: "bench-registry.yaml", clusters: [{ name: "sim", kubeconfig: kube.kubeconfigPath, inCluster: false, repositories: ["acme/*"], allowClusterScoped: true }] },
      reconcileIntervalMs: 0,
      verifyTimeoutMs: opts.verifyTimeoutMs,
      pollMs: opts.pollMs,
      identity: "bench",
    },
    (r) => (rt = r),
  );
  await server.load((probot, extra) => {
    app = probot;
    return converge(probot, extra);
  });
  await server.start();
  const appUrl = `http://127.0.0.1:${port}`;
  let seq = 0;
  return {
    gh,
    kube,
    app,
    get rt() {
      return rt;
    },
    appUrl,
    throttle: opts.throttle,
    async send(event, payload, id) {
      const res = await sendWebhook(`${appUrl}/api/github/webhooks`, { event, payload, secret: WEBHOOK_SECRET, id: id ?? `bench-${++seq}` });
      return { status: res.status, ms: res.ms };
    },
    idle: () => rt.queue.idle(),
    async close() {
      rt?.reconciler?.stop();
      await rt?.queue.idle();
      rt?.clusters.close();
      await server.stop();
      await gh.close();
      await kube.close();
    },
  };
}
