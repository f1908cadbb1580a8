// The operator's cluster registry (file named by CONVERGE_CLUSTERS): which
// clusters exist, how to reach them, and which repositories may deploy into
// which namespaces. It lives outside every repository, so a repository can
// only name a cluster, never widen what it may do there. Credentials stay in
// kubeconfig files; the registry only points at them.

import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { bool, entries, field, finish, list, mapping, matching, newCtx, report, str, type Ctx, type Reader } from "./check.js";
import { CLUSTER_DEFAULTS, CLUSTERS_ENV_VAR } from "./defaults.js";
import { ConfigError } from "./errors.js";
import type { Path } from "./path.js";
import { clusterName } from "./rules.js";
import { loadYaml } from "./yaml.js";

export { checkClusterAccess, type AccessRequest, type AccessResult } from "./access.js";

export interface ClusterEntry {
  name: string;
  /** Absolute path of the kubeconfig file; absent when inCluster. */
  kubeconfig?: string;
  /** Use the pod's service account instead of a kubeconfig. */
  inCluster: boolean;
  /** kubeconfig context; absent = the file's current-context. */
  context?: string;
  /** Globs on "owner/name" (case-insensitive) of repositories that may deploy here. */
  repositories: string[];
  /** Globs on namespace names; undefined = every namespace. */
  namespaces?: string[];
  allowClusterScoped: boolean;
}

export interface ClusterRegistry {
  file: string;
  /** In file order; names are unique (duplicate keys are rejected). */
  clusters: ClusterEntry[];
}

export type RegistryResult = { ok: true; registry: ClusterRegistry } | { ok: false; error: ConfigError };

const CLUSTER_KEYS = ["kubeconfig", "inCluster", "context", "repositories", "namespaces", "allowClusterScoped"];
const CREDENTIAL_KEYS = new Set([
  "token", "password", "username", "client-key-data", "client-certificate-data", "client-key", "clientKeyData",
  "clientCertificateData", "bearerToken", "bearer-token", "key", "secret",
]);

const repoGlob = matching(/^[A-Za-z0-9_.*?-]+\/[A-Za-z0-9_.*?-]+$/, 'is not an "owner/name" pattern (globs * and ? allowed, e.g. "acme/*")');
// "" is accepted and never matches: it is harmless, and an operator may use it to mean "none".
const namespaceGlob: Reader<string> = (ctx, path, v) =>
  v === "" ? "" : matching(/^[a-z0-9*?-]+$/, 'is not a namespace pattern (lower-case letters, digits, "-", globs * and ?)', 63)(ctx, path, v);

/** Parse and validate registry text; throws ConfigError listing every problem. */
export function parseRegistry(text: string, file: string): ClusterRegistry {
  const loaded = loadYaml(text, file);
  if (loaded.fatal) throw new ConfigError(loaded.issues);
  const ctx = newCtx(file, loaded.locate, loaded.issues);
  const clusters = readClusters(ctx, loaded.value);
  const issues = finish(ctx);
  if (issues.length > 0) throw new ConfigError(issues);
  return { file, clusters };
}

/**
 * Read the registry named by CONVERGE_CLUSTERS; every failure is a result the
 * caller can show. Synchronous: it is a small file read once at start-up (or
 * per CLI run), and callers stay simple.
 */
export function loadRegistry(path: string | undefined = process.env[CLUSTERS_ENV_VAR]): RegistryResult {
  const fail = (file: string, field: string, message: string): RegistryResult => ({
    ok: false,
    error: new ConfigError([{ file, field, message }]),
  });
  if (!path) {
    return fail(CLUSTERS_ENV_VAR, "", `${CLUSTERS_ENV_VAR} is not set; point it at the cluster registry file (see docs/configuration.md#cluster-registry). Without it no cluster accepts deployments.`);
  }
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "error";
    return fail(file, "", `cannot read the cluster registry (${code}); check ${CLUSTERS_ENV_VAR}`);
  }
  try {
    return { ok: true, registry: parseRegistry(text, file) };
  } catch (e) {
    if (e instanceof ConfigError) return { ok: false, error: e };
    throw e;
  }
}

function readClusters(ctx: Ctx, value: unknown): ClusterEntry[] {
  const out: ClusterEntry[] = [];
  if (value === null || value === undefined) {
    report(ctx, [], "file is empty; it needs a clusters mapping");
    return out;
  }
  const top = mapping(ctx, [], value, ["clusters"], "a mapping with a clusters key");
  if (!top) return out;
  if (top.get("clusters") == null) {
    report(ctx, ["clusters"], "is required: map each cluster name to its settings");
    return out;
  }
  const named = entries(ctx, ["clusters"], top.get("clusters"), "a mapping from cluster name to settings");
  if (!named) return out;
  if (named.length === 0) report(ctx, ["clusters"], "must define at least one cluster");
  for (const [name, v] of named) {
    clusterName(ctx, ["clusters", name], name);
    const entry = readCluster(ctx, ["clusters", name], name, v);
    if (entry) out.push(entry);
  }
  return out;
}

function readCluster(ctx: Ctx, path: Path, name: string, v: unknown): ClusterEntry | undefined {
  const credentials = (key: string) =>
    CREDENTIAL_KEYS.has(key) || /-data$/.test(key)
      ? "inline credentials are not allowed in the cluster registry; put them in a kubeconfig file and set kubeconfig to its path"
      : undefined;
  const m = mapping(ctx, path, v, CLUSTER_KEYS, "a mapping with kubeconfig (or inCluster: true) and repositories", credentials);
  if (!m) return undefined;
  const inCluster = field(ctx, m, path, "inCluster", bool, false);
  const kubeconfig = field(ctx, m, path, "kubeconfig", kubeconfigPath(ctx.file), undefined);
  const context = field(ctx, m, path, "context", str, undefined);
  if (inCluster && m.has("kubeconfig")) report(ctx, [...path, "kubeconfig"], "set either kubeconfig or inCluster: true, not both");
  if (!inCluster && !m.has("kubeconfig")) report(ctx, path, "needs kubeconfig (path to a kubeconfig file) or inCluster: true");
  if (inCluster && m.has("context")) report(ctx, [...path, "context"], "applies only with kubeconfig");
  const repositories = m.has("repositories")
    ? field(ctx, m, path, "repositories", list(repoGlob, { nonEmpty: true }), undefined)
    : void report(ctx, [...path, "repositories"], 'is required: list the repositories that may deploy here, e.g. ["acme/*"]');
  const namespaces = field(ctx, m, path, "namespaces", list(namespaceGlob), undefined);
  const entry: ClusterEntry = {
    name,
    inCluster,
    repositories: repositories ?? [],
    allowClusterScoped: field(ctx, m, path, "allowClusterScoped", bool, CLUSTER_DEFAULTS.allowClusterScoped),
  };
  if (kubeconfig !== undefined) entry.kubeconfig = kubeconfig;
  if (context !== undefined) entry.context = context;
  if (namespaces !== undefined) entry.namespaces = namespaces;
  return entry;
}

/** A file path, resolved against the registry's directory; kubeconfig content pasted inline is refused. */
function kubeconfigPath(registryFile: string): Reader<string> {
  return (ctx, path, v) => {
    if (typeof v !== "string") return void report(ctx, path, "must be the path of a kubeconfig file, not inline kubeconfig content");
    if (/[\n\r]/.test(v) || /^\s*(apiVersion|clusters|users)\s*:/.test(v)) {
      return void report(ctx, path, "must be the path of a kubeconfig file, not inline kubeconfig content");
    }
    const s = str(ctx, path, v);
    if (s === undefined) return undefined;
    return isAbsolute(s) ? s : resolve(dirname(resolve(registryFile)), s);
  };
}
