// Test helper: put an environment's manifests into a (simulated) cluster the
// way a deploy does — plan, then apply with inventory — so tests start from a
// cluster that matches Git.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { parseConfig } from "../../src/config/index.js";
import { KubeClient } from "../../src/cluster/client.js";
import { planEnvironment } from "../../src/engine/plan.js";
import { applyPlanned } from "../../src/engine/apply.js";

export function clientFor(kubeconfig: string): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  return new KubeClient(kc);
}

export async function seedEnvironment(kubeconfig: string, root: string, envName: string, repository: string, revision = "seed"): Promise<void> {
  const config = parseConfig(await readFile(join(root, ".github/converge.yml"), "utf8"));
  const env = config.environments.find((e) => e.name === envName)!;
  const client = clientFor(kubeconfig);
  try {
    const planned = await planEnvironment({ env, root, repository, revision, client });
    if (planned.plan.errors.length) throw new Error(`seed plan has errors: ${planned.plan.errors.map((e) => e.message).join("; ")}`);
    const result = await applyPlanned(client, planned, { force: false, prune: env.prune, repository, environment: env.name, revision });
    if (result.failed.length) throw new Error(`seed apply failed: ${result.failed.map((f) => f.message).join("; ")}`);
  } finally {
    client.close();
  }
}
