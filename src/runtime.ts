// Process-wide state shared by handlers: the delivery log, the per-PR queue,
// the cluster pool built from the operator's registry, and the last gate
// record per PR. Created once per app load.
import type { Logger } from "pino";
import { CoalescingQueue } from "./agent/queue.js";
import { DeliveryLog } from "./agent/deliveries.js";
import { ClusterPool } from "./agent/clusters.js";
import { loadRegistry, type ClusterRegistry } from "./config/index.js";
import type { KubeClientOptions } from "./cluster/client.js";
import type { GateRecord } from "./report/gate-record.js";
import type { GitHub } from "./github/types.js";
import type { PullState } from "./engine/approval.js";
import { DeployScheduler } from "./agent/deploys.js";
import { ConvergeEmitter } from "./agent/events.js";
import type { Reconciler } from "./agent/reconcile.js";
import { defaultIdentity, type DeployDeps } from "./engine/deploy.js";

export interface ConvergeOptions {
  /** The cluster registry; default: the file named by CONVERGE_CLUSTERS. */
  registry?: ClusterRegistry;
  kubeClient?: KubeClientOptions;
  /** Namespace for the per-environment Leases (default: CONVERGE_LEASE_NAMESPACE or "default"). */
  leaseNamespace?: string;
  /** This replica's identity in Leases (default: CONVERGE_IDENTITY, e.g. the pod name, else hostname-pid-random). */
  identity?: string;
  /** Reconcile timer period in ms (default: CONVERGE_RECONCILE_INTERVAL seconds × 1000, or 300 s); 0 = off. */
  reconcileIntervalMs?: number;
  /** Test knobs for verification. */
  verifyTimeoutMs?: number;
  pollMs?: number;
  /** Enables the status page at /converge with this token (default: CONVERGE_STATUS_TOKEN; unset = off). */
  statusToken?: string;
  /** How long the status page's model is cached, in ms (default 30 s). */
  statusCacheMs?: number;
  /** Outgoing chat webhook for failures, reverts and drift (default: CONVERGE_NOTIFY_URL; unset = off). */
  notifyUrl?: string;
  /** Notification delivery knobs (retries, backoff, timeout), mostly for tests. */
  notify?: { retries?: number; backoffMs?: number; timeoutMs?: number };
  /** How long a /readyz answer is reused, in ms (default 10 s). */
  readyCacheMs?: number;
}

export interface Runtime {
  log: Logger;
  deliveries: DeliveryLog;
  queue: CoalescingQueue;
  clusters: ClusterPool;
  records: Map<string, GateRecord>;
  /** Per PR: the newest state seen and whether a full preview is owed (see handlers/pull.ts). */
  owed: Map<string, { pull: PullState; preview: boolean; delivery: string }>;
  deploys: DeployScheduler;
  events: ConvergeEmitter;
  reconciler?: Reconciler;
  deployDeps: () => DeployDeps;
  botLogin?: string;
  /** The app's id (to recognise check runs it posted itself). */
  appId?: number;
  /** What to do when a deploy fails (the revert PR policy, wired by index.ts). */
  onDeployFailure?: DeployDeps["onFailure"];
  onDeploySuccess?: DeployDeps["onSuccess"];
  /** The app's bot login ("slug[bot]"), looked up once (needs the app's JWT client). */
  resolveBotLogin(): Promise<string | undefined>;
}

/** CONVERGE_PUBLIC_URL (where this app is reachable) → a link to the status page for GitHub's log_url. */
function statusLogUrl(repository: string, env: string): string | undefined {
  const base = process.env.CONVERGE_PUBLIC_URL?.replace(/\/+$/, "");
  return base ? `${base}/converge#${encodeURIComponent(`${repository}/${env}`)}` : undefined;
}

export function createRuntime(log: Logger, appOctokit: () => Promise<GitHub>, opts: ConvergeOptions = {}): Runtime {
  let registry: ClusterRegistry | Error;
  if (opts.registry) registry = opts.registry;
  else {
    const loaded = loadRegistry();
    registry = loaded.ok ? loaded.registry : loaded.error;
    if (!loaded.ok) log.warn({ err: loaded.error.message }, "cluster registry not loaded: previews and deploys will report it");
  }
  // A stable identity (the pod name) lets a restarted container take its own Lease back at once.
  const identity = opts.identity ?? (process.env.CONVERGE_IDENTITY || defaultIdentity());
  const leaseNamespace = opts.leaseNamespace ?? process.env.CONVERGE_LEASE_NAMESPACE ?? "default";
  const runtime: Runtime = {
    log,
    deliveries: new DeliveryLog(),
    queue: new CoalescingQueue({
      onSuperseded: (key, label, by) => log.info({ key, superseded: label, by }, "job superseded by a newer one"),
      onError: (key, label, err) => log.error({ key, job: label, err }, "job failed"),
    }),
    clusters: new ClusterPool(registry, opts.kubeClient),
    records: new Map(),
    owed: new Map(),
    deploys: undefined as unknown as DeployScheduler,
    events: new ConvergeEmitter(),
    deployDeps: () => ({ clusters: runtime.clusters, log, identity, leaseNamespace, verifyTimeoutMs: opts.verifyTimeoutMs, pollMs: opts.pollMs, onFailure: runtime.onDeployFailure, onSuccess: runtime.onDeploySuccess, events: runtime.events, logUrl: statusLogUrl }),
    async resolveBotLogin() {
      if (runtime.botLogin) return runtime.botLogin;
      try {
        const gh = await appOctokit();
        const { data } = await gh.rest.apps.getAuthenticated();
        runtime.botLogin = data?.slug ? `${data.slug}[bot]` : undefined;
        runtime.appId = data?.id;
      } catch (err) {
        log.warn({ err: (err as Error).message }, "could not look up the app's bot login");
      }
      return runtime.botLogin;
    },
  };
  runtime.deploys = new DeployScheduler(runtime.queue, runtime.deployDeps, log);
  return runtime;
}
