// Shared by the principle tests: a repository (the shop fixture in its own
// namespace) deployed through the real app, and readers for what Converge
// left in the simulated cluster.
import { expect } from "vitest";
import type { Stack } from "../support/stack.js";
import { shopFiles } from "../support/shop.js";
import { writeTree } from "../support/workspace.js";
import { loadManifests } from "../../src/manifests/index.js";
import { parseConfig } from "../../src/config/index.js";
import type { EnvironmentConfig } from "../../src/config/types.js";
import type { KubeObject } from "../../src/manifests/object.js";
import { parentRef, parseParent, type InventoryState } from "../../src/inventory/applyset.js";

export const ZERO = "0".repeat(40);

export interface Repo {
  name: string;
  namespace: string;
  files: Record<string, string>;
  env: EnvironmentConfig;
}

/** Creates `name` with the shop fixture in `namespace` (extra config lines under the environment). */
export async function createRepo(stack: Stack, name: string, namespace: string, config: string[] = []): Promise<Repo> {
  const files = await shopFiles({ namespace, config });
  stack.gh.createRepo(name, { files });
  for (const user of ["alice", "bob"]) {
    stack.gh.addUser(user);
    stack.gh.setPermission(name, user, "write");
  }
  return { name, namespace, files, env: parseConfig(files[".github/converge.yml"]!).environments[0]! };
}

/** Creates the repository and deploys main through one push webhook; the environment starts healthy. */
export async function deployedRepo(stack: Stack, name: string, namespace: string, config: string[] = []): Promise<Repo> {
  const repo = await createRepo(stack, name, namespace, config);
  const main = stack.gh.ref(name, "main")!;
  await stack.deliver("push", stack.gh.events.push(name, "refs/heads/main", ZERO, main, "bob"));
  expect(states(stack, name, main)).toEqual(["in_progress", "success"]);
  return repo;
}

/** Deployment status states of every GitHub Deployment for `sha`, in order. */
export function states(stack: Stack, repo: string, sha: string): string[] {
  return stack.gh.deployments(repo).filter((d) => d.sha === sha).flatMap((d) => d.statuses.map((s) => s.state));
}

export function inventory(stack: Stack, repo: Repo): InventoryState {
  const ref = parentRef(repo.name, repo.env.name, repo.namespace);
  return parseParent(stack.kube.get("v1", "ConfigMap", ref.name, ref.namespace), ref);
}

/** The manifests at `sha` as Converge renders them (namespaces defaulted), keyed "Kind/namespace/name". */
export async function rendered(stack: Stack, repo: Repo, sha: string): Promise<Map<string, KubeObject>> {
  const tree = await writeTree(stack.gh.files(repo.name, sha));
  try {
    const loaded = await loadManifests({ root: tree.root, path: repo.env.path, defaultNamespace: repo.env.namespace });
    expect(loaded.errors).toEqual([]);
    return new Map(loaded.objects.map((o) => [keyOf(o.object), o.object] as const));
  } finally {
    await tree.dispose();
  }
}

export function keyOf(o: KubeObject): string {
  return `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
}

/** Requests that change something: not GET/LIST/WATCH, not a server-side dry run. */
export function isMutation(r: { method: string; query: Record<string, string> }): boolean {
  return r.method !== "GET" && r.query.dryRun !== "All";
}

/** Converge's own bookkeeping: the Lease it deploys under, and the ApplySet parent ConfigMap. */
export function isBookkeeping(path: string, repo: Repo): boolean {
  const parent = parentRef(repo.name, repo.env.name, repo.namespace);
  return /\/leases(\/|$)/.test(path) || path === `/api/v1/namespaces/${parent.namespace}/configmaps/${parent.name}`;
}

/** Polls until `fn` is true (the timer runs on its own schedule). */
export async function eventually(what: string, fn: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: string;
  fieldsV1: Record<string, unknown>;
}

/** metadata.managedFields of a live object (the server's record of who owns which field). */
export function managedFields(o: KubeObject): ManagedFieldsEntry[] {
  return ((o.metadata as { managedFields?: ManagedFieldsEntry[] }).managedFields ?? []);
}
