// Clusters as the operator registered them: one KubeClient per cluster name
// (kept for keep-alive and discovery reuse), and the allowlist check that
// decides whether a repository may touch a cluster at all.
import { checkClusterAccess, type ClusterRegistry } from "../config/index.js";
import type { KubeClient, KubeClientOptions } from "../cluster/client.js";
import { connect } from "../cluster/connect.js";

export interface ClusterTarget {
  client: KubeClient;
  authorize: (namespaces: string[], clusterScoped: boolean) => string | undefined;
}

export class ClusterPool {
  private readonly clients = new Map<string, KubeClient>();
  /** Sees every request of every cluster's client, with the cluster's name (metrics); set before first use. */
  onRequest?: (cluster: string, verb: string, status: number) => void;

  constructor(
    private readonly registry: ClusterRegistry | Error,
    private readonly clientOpts: KubeClientOptions = {},
  ) {}

  /** The cluster for (repository, cluster name), or the reason it may not be used. */
  target(repository: string, cluster: string): ClusterTarget | { refused: string } {
    if (this.registry instanceof Error) return { refused: this.registry.message };
    const registry = this.registry;
    const precheck = checkClusterAccess(registry, { cluster, repository, namespaces: [], clusterScoped: false });
    if (!precheck.allowed) return { refused: precheck.reason };
    return {
      client: this.client(cluster)!,
      authorize: (namespaces, clusterScoped) => {
        const access = checkClusterAccess(registry, { cluster, repository, namespaces, clusterScoped });
        return access.allowed ? undefined : access.reason;
      },
    };
  }

  /** The client of a registered cluster, without a repository check (health probes); undefined when not registered. */
  client(cluster: string): KubeClient | undefined {
    if (this.registry instanceof Error) return undefined;
    let client = this.clients.get(cluster);
    if (client) return client;
    const entry = this.registry.clusters.find((c) => c.name === cluster);
    if (!entry) return undefined;
    const own = this.clientOpts.onRequest;
    const onRequest = (verb: string, status: number) => {
      own?.(verb, status);
      this.onRequest?.(cluster, verb, status);
    };
    client = connect({ kubeconfig: entry.kubeconfig, context: entry.context, inCluster: entry.inCluster }, { ...this.clientOpts, onRequest });
    this.clients.set(cluster, client);
    return client;
  }

  /** Why the operator's registry could not be loaded, if it could not. */
  get registryError(): string | undefined {
    return this.registry instanceof Error ? this.registry.message : undefined;
  }

  names(): string[] {
    return this.registry instanceof Error ? [] : this.registry.clusters.map((c) => c.name);
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}
