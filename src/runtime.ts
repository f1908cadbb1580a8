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

export interface ConvergeOptions {
  /** The cluster registry; default: the file named by CONVERGE_CLUSTERS. */
  registry?: ClusterRegistry;
  kubeClient?: KubeClientOptions;
}

export interface Runtime {
  log: Logger;
  deliveries: DeliveryLog;
  queue: CoalescingQueue;
  clusters: ClusterPool;
  records: Map<string, GateRecord>;
  /** Per PR: the newest state seen and whether a full preview is owed (see handlers/pull.ts). */
  owed: Map<string, { pull: PullState; preview: boolean; delivery: string }>;
  botLogin?: string;
  /** The app's bot login ("slug[bot]"), looked up once (needs the app's JWT client). */
  resolveBotLogin(): Promise<string | undefined>;
}

export function createRuntime(log: Logger, appOctokit: () => Promise<GitHub>, opts: ConvergeOptions = {}): Runtime {
  let registry: ClusterRegistry | Error;
  if (opts.registry) registry = opts.registry;
  else {
    const loaded = loadRegistry();
    registry = loaded.ok ? loaded.registry : loaded.error;
    if (!loaded.ok) log.warn({ err: loaded.error.message }, "cluster registry not loaded: previews and deploys will report it");
  }
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
    async resolveBotLogin() {
      if (runtime.botLogin) return runtime.botLogin;
      try {
        const gh = await appOctokit();
        const { data } = await gh.rest.apps.getAuthenticated();
        runtime.botLogin = data?.slug ? `${data.slug}[bot]` : undefined;
      } catch (err) {
        log.warn({ err: (err as Error).message }, "could not look up the app's bot login");
      }
      return runtime.botLogin;
    },
  };
  return runtime;
}
