// Pulled / delivered automatically: after the merge, no human step. One push
// webhook (what GitHub sends for the merge) and nothing else — no comment
// command, no approval, no button, no timer — and the environment converges
// to the merge commit and is healthy.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../support/stack.js";
import { startController, type Controller } from "../support/kube/controller.js";
import { seedEnvironment } from "../support/deploy.js";
import { mergeChange, pushPayload } from "../support/merge.js";
import { withImage } from "../support/shop.js";
import { writeTree } from "../support/workspace.js";
import { createRepo, inventory, states, type Repo } from "./support.js";

let stack: Stack;
let controller: Controller;
let repo: Repo;

beforeAll(async () => {
  // reconcileIntervalMs 0: no timer; the push webhook is the only trigger.
  stack = await startStack({ verifyTimeoutMs: 20_000, reconcileIntervalMs: 0 });
  controller = startController(stack.kube, { readyAfterMs: 50 });
  repo = await createRepo(stack, "acme/delivered", "delivered");
  // The environment already runs main (put there directly, not through a webhook).
  const main = stack.gh.ref(repo.name, "main")!;
  const tree = await writeTree(stack.gh.files(repo.name, main));
  try {
    await seedEnvironment(stack.kube.kubeconfig(), tree.root, "production", repo.name, main);
  } finally {
    await tree.dispose();
  }
});

afterAll(async () => {
  await controller?.stop();
  await stack?.close();
});

describe("delivered automatically: merge → deploy with no further event", () => {
  it("converges the environment to the merge commit, healthy, from one push webhook", async () => {
    const image = "ghcr.io/acme/web:1.9.0";
    const m = mergeChange(stack, repo.name, "release", {
      "deploy/production/web.yaml": withImage(repo.files, image),
      "deploy/production/config.yaml": repo.files["deploy/production/config.yaml"]!.replace("info", "warn"),
    }, "Release 1.9.0");
    expect(states(stack, repo.name, m.sha)).toEqual([]);

    const answer = await stack.send("push", pushPayload(stack, repo.name, m));
    expect(answer.status).toBe(200);
    await stack.idle(); // nothing else is sent: the app finishes on its own

    // Git says m.sha, and so does the cluster.
    expect(inventory(stack, repo)).toMatchObject({ revision: m.sha, result: "succeeded" });
    const deployments = stack.gh.deployments(repo.name).filter((d) => d.sha === m.sha);
    expect(deployments).toHaveLength(1);
    expect(deployments[0]!.statuses.map((s) => s.state)).toEqual(["in_progress", "success"]);
    expect(deployments[0]!.creator).toMatch(/\[bot\]$/);

    const web = stack.kube.get("apps/v1", "Deployment", "web", repo.namespace)!;
    expect(web.metadata.annotations?.["converge.dev/revision"]).toBe(m.sha);
    expect(JSON.stringify(web.spec)).toContain(image);
    // Healthy: the rollout finished (observed generation caught up, all replicas updated and available).
    const spec = web.spec as { replicas: number };
    const status = web.status as { observedGeneration: number; updatedReplicas: number; availableReplicas: number };
    expect(status.observedGeneration).toBe(web.metadata.generation);
    expect(status.updatedReplicas).toBe(spec.replicas);
    expect(status.availableReplicas).toBe(spec.replicas);
    expect(stack.kube.get("v1", "ConfigMap", "web-config", repo.namespace)!.data).toEqual({ LOG_LEVEL: "warn" });

    // And it told the people who merged.
    expect(stack.gh.comments(repo.name, m.number).some((c) => c.body.includes(`Deployed \`${m.sha.slice(0, 7)}\``))).toBe(true);
    expect(stack.gh.unexpected).toEqual([]);
  });
});
