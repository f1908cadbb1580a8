// Builds a KubeClient from the operator's choice: explicit kubeconfig/context
// (CLI flags or registry entry), in-cluster service account, or the default
// chain (KUBECONFIG, ~/.kube/config, in-cluster) like kubectl.
import { KubeConfig } from "@kubernetes/client-node";
import { KubeClient, type KubeClientOptions } from "./client.js";

export interface ConnectOptions {
  kubeconfig?: string;
  context?: string;
  inCluster?: boolean;
}

export function loadKubeConfig(opts: ConnectOptions): KubeConfig {
  const kc = new KubeConfig();
  if (opts.inCluster) kc.loadFromCluster();
  else if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else kc.loadFromDefault();
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) throw new Error(`kubeconfig has no context "${opts.context}"`);
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster()) throw new Error("no Kubernetes cluster configured (set KUBECONFIG, --kubeconfig, or run in a cluster)");
  return kc;
}

export function connect(opts: ConnectOptions, clientOpts?: KubeClientOptions): KubeClient {
  return new KubeClient(loadKubeConfig(opts), clientOpts);
}
