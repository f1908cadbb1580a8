// The whole product on one machine for end-to-end tests: the simulated
// GitHub, the simulated Kubernetes API server, and the real Probot app
// (createConverge) behind Probot's HTTP server, receiving signed webhooks.
import { createServer, type AddressInfo } from "node:net";
import { mkdtemp, readdir, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pino } from "pino";
import { Probot, ProbotOctokit, Server } from "probot";
import { startGitHubSim, sendWebhook, type GitHubSim, type GitHubSimOptions } from "./github/index.js";
import { startKubeSim, type KubeSim, type KubeSimOptions } from "./kube/index.js";
import { FIXTURE_REPOS } from "./workspace.js";
import { createConverge } from "../../src/index.js";
import type { Runtime } from "../../src/runtime.js";
import type { ClusterRegistry } from "../../src/config/index.js";

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
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const gh = await startGitHubSim(opts.github);
  const kube = await startKubeSim(opts.kube);
  const kubeconfigPath = kube.writeKubeconfig(await mkdtemp(join(tmpdir(), "converge-stack-")));
  const registry: ClusterRegistry = {
    file: "test-registry.yaml",
    clusters: [{ name: "sim", kubeconfig: kubeconfigPath, inCluster: false, repositories: opts.repositories ?? ["acme/*"], namespaces: opts.namespaces, allowClusterScoped: true }],
  };
  const log = pino({ level: opts.logLevel ?? process.env.CONVERGE_TEST_LOG ?? "silent" });
  // Probot's throttling spaces writes ~1 s apart (GitHub's advice for content
  // creation); tests turn it off so they measure Converge, not the throttle.
  // (A function, not an object: Probot layers its own throttle options on top
  // of object defaults, and this function runs last.)
  const Octokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, throttle: { ...(o.throttle as object), enabled: false } }));
  const ProbotSim = Probot.defaults({ appId: gh.appId, privateKey: gh.privateKey, secret: WEBHOOK_SECRET, baseUrl: gh.apiUrl, log, Octokit });
  const port = await freePort();
  const server = new Server({ Probot: ProbotSim, port, host: "127.0.0.1", log });
  let rt!: Runtime;
  await server.load(createConverge({ registry }, (r) => (rt = r)));
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
      await rt?.queue.idle();
      rt?.clusters.close();
      await server.stop();
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
