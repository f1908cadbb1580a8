// Merge to deploy, end to end: push webhook → GitHub Deployment → apply →
// verify (with the simulated controllers moving pods) → report.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, fixtureFiles, type Stack } from "../support/stack.js";
import { mergeChange, pushPayload } from "../support/merge.js";
import { startController, type Controller } from "../support/kube/controller.js";
import { ANN_RESULT, ANN_REVISION, parentRef } from "../../src/inventory/applyset.js";
import { writeTree } from "../support/workspace.js";
import { clientFor } from "../support/deploy.js";
import { parseConfig } from "../../src/config/index.js";
import { planEnvironment } from "../../src/engine/plan.js";
import { writeParent } from "../../src/engine/apply.js";
import { serverSideApply } from "../../src/cluster/apply.js";
import { idOf } from "../../src/manifests/object.js";

const REPO = "acme/shop";
let stack: Stack;
let controller: Controller;
let base: Record<string, string>;

function web(image: string): string {
  return base["deploy/production/web.yaml"]!.replace("ghcr.io/acme/web:1.4.2", image);
}

function deploymentsFor(sha: string) {
  return stack.gh.deployments(REPO).filter((d) => d.sha === sha);
}

function states(sha: string): string[] {
  return deploymentsFor(sha).flatMap((d) => d.statuses.map((s) => s.state));
}

function parent() {
  const ref = parentRef(REPO, "production", "shop");
  return stack.kube.get("v1", "ConfigMap", ref.name, ref.namespace);
}

beforeAll(async () => {
  stack = await startStack({ verifyTimeoutMs: 30_000 });
  controller = startController(stack.kube, { images: [{ match: /:broken/, behaviour: "imagepullbackoff" }, { match: /:crash/, behaviour: "crashloop" }], readyAfterMs: 100 });
  base = await fixtureFiles("shop");
  stack.gh.createRepo(REPO, { files: base });
});

afterAll(async () => {
  await controller?.stop();
  await stack?.close();
});

describe("merge to deploy", () => {
  it("deploys a merged commit: Deployment in_progress → success, objects stamped, PR comment", async () => {
    const m = mergeChange(stack, REPO, "v143", { "deploy/production/web.yaml": web("ghcr.io/acme/web:1.4.3") }, "Bump web to 1.4.3");
    await stack.deliver("push", pushPayload(stack, REPO, m));
    expect(states(m.sha)).toEqual(["in_progress", "success"]);
    const dep = deploymentsFor(m.sha)[0]!;
    expect(dep.statuses.at(-1)!.environmentUrl).toBe("https://shop.example.com");
    expect(dep.environment).toBe("production");
    expect(JSON.stringify(dep.payload)).toContain("summary");
    const live = stack.kube.get("apps/v1", "Deployment", "web", "shop")!;
    expect(live.metadata.annotations?.["converge.dev/revision"]).toBe(m.sha);
    expect(live.metadata.annotations?.["converge.dev/repository"]).toBe(REPO);
    expect(live.metadata.labels?.["applyset.kubernetes.io/part-of"]).toMatch(/^applyset-/);
    expect(parent()?.metadata.annotations?.[ANN_REVISION]).toBe(m.sha);
    expect(parent()?.metadata.annotations?.[ANN_RESULT]).toBe("succeeded");
    const comments = stack.gh.comments(REPO, m.number).map((c) => c.body);
    expect(comments.some((b) => b.includes(`Deployed \`${m.sha.slice(0, 7)}\` to **production**`))).toBe(true);
    expect(stack.gh.unexpected).toEqual([]);
  });

  it("detects a broken image within seconds, not at the progress deadline", async () => {
    const m = mergeChange(stack, REPO, "broken", { "deploy/production/web.yaml": web("ghcr.io/acme/web:broken") }, "Ship broken image");
    const t0 = Date.now();
    await stack.deliver("push", pushPayload(stack, REPO, m));
    const elapsed = Date.now() - t0;
    expect(states(m.sha)).toEqual(["in_progress", "failure"]);
    expect(elapsed).toBeLessThan(15_000);
    const status = deploymentsFor(m.sha)[0]!.statuses.at(-1)!;
    expect(status.description).toContain("ImagePullBackOff");
    expect(status.description.length).toBeLessThanOrEqual(140);
    const comment = stack.gh.comments(REPO, m.number).map((c) => c.body).find((b) => b.includes("failed"))!;
    expect(comment).toContain("ImagePullBackOff");
    expect(comment).toContain("Deployment shop/web");
    expect(parent()?.metadata.annotations?.["converge.dev/failed-revision"]).toBe(m.sha);
  });

  it("deploys only the newest of quick merges and records the skipped one as superseded", async () => {
    const x = mergeChange(stack, REPO, "x", { "deploy/production/web.yaml": web("ghcr.io/acme/web:1.5.0") }, "x");
    const a = mergeChange(stack, REPO, "a", { "deploy/production/config.yaml": base["deploy/production/config.yaml"]!.replace("info", "debug") }, "a");
    const b = mergeChange(stack, REPO, "b", { "deploy/production/config.yaml": base["deploy/production/config.yaml"]!.replace("info", "warn") }, "b");
    await stack.send("push", pushPayload(stack, REPO, x));
    await stack.send("push", pushPayload(stack, REPO, a));
    await stack.send("push", pushPayload(stack, REPO, b));
    await stack.idle();
    expect(states(x.sha)).toEqual(["in_progress", "success"]);
    expect(states(a.sha)).toEqual(["inactive"]);
    expect(deploymentsFor(a.sha)[0]!.statuses[0]!.description).toContain(`Superseded by ${b.sha.slice(0, 7)}`);
    expect(states(b.sha)).toEqual(["in_progress", "success"]);
    expect(stack.kube.get("v1", "ConfigMap", "web-config", "shop")!.data).toEqual({ LOG_LEVEL: "warn" });
  });

  it("does not deploy a push that changes nothing for the environment, and records it as current", async () => {
    const m = mergeChange(stack, REPO, "docs", { "README.md": "# shop\n" }, "docs");
    await stack.deliver("push", pushPayload(stack, REPO, m));
    expect(deploymentsFor(m.sha)).toEqual([]);
    expect(parent()?.metadata.annotations?.[ANN_REVISION]).toBe(m.sha);
  });
});

describe("hostile archives", () => {
  it("records a commit whose archive is over the limits as a failed deploy, once, and applies nothing", async () => {
    const m = mergeChange(stack, REPO, "bomb", { "deploy/production/config.yaml": base["deploy/production/config.yaml"]!.replace("info", "bomb") }, "bomb");
    const entries = Array.from({ length: 100_001 }, (_, i) => ({ path: `junk/${i}`, type: "file" as const, content: "" }));
    stack.gh.state.requireRepo(REPO).tarExtras.set(m.sha, entries);
    stack.kube.resetRequests();
    await stack.deliver("push", pushPayload(stack, REPO, m));
    expect(states(m.sha)).toEqual(["failure"]);
    expect(deploymentsFor(m.sha)[0]!.statuses[0]!.description).toMatch(/RenderFailed: .*entries/);
    expect(stack.kube.requests.filter((r) => r.method === "PATCH" && r.query.dryRun !== "All" && !r.path.includes("/leases/") && !r.path.includes("/configmaps/converge-"))).toEqual([]);
    expect(parent()?.metadata.annotations?.["converge.dev/failed-revision"]).toBe(m.sha);
    // The reconcile timer does not try it again on its own.
    await stack.rt.reconciler!.runOnce();
    await stack.idle();
    expect(deploymentsFor(m.sha)).toHaveLength(1);
    stack.gh.state.requireRepo(REPO).tarExtras.delete(m.sha);
  });
});

describe("restart", () => {
  it("finishes a deploy that a crash interrupted, on the next start's reconcile walk", async () => {
    const previous = parent()!.metadata.annotations![ANN_REVISION]!;
    const m = mergeChange(stack, REPO, "interrupted", {
      "deploy/production/web.yaml": web("ghcr.io/acme/web:1.8.0"),
      "deploy/production/config.yaml": base["deploy/production/config.yaml"]!.replace("info", "error"),
    }, "interrupted");
    // What a crash in the middle of applying leaves behind: the parent marked
    // in-progress (still naming the previous revision) and one object applied.
    const tree = await writeTree(stack.gh.files(REPO, m.sha));
    const client = clientFor(stack.kube.kubeconfig());
    try {
      const env = parseConfig(base[".github/converge.yml"]!).environments[0]!;
      const planned = await planEnvironment({ env, root: tree.root, repository: REPO, revision: m.sha, client });
      await writeParent(client, planned.discovery, planned.parent, planned.objects.map((o) => idOf(o.desired.object)), { [ANN_REVISION]: previous, [ANN_RESULT]: "in-progress" });
      const web = planned.objects.find((o) => o.desired.object.kind === "Deployment")!;
      await serverSideApply(client, web.resource!, web.desired.object);
    } finally {
      client.close();
      await tree.dispose();
    }
    expect(states(m.sha)).toEqual([]);
    const restarted = await startStack({ verifyTimeoutMs: 30_000, identity: "restarted" }, stack);
    try {
      await restarted.rt.reconciler!.runOnce();
      await restarted.idle();
    } finally {
      await restarted.close();
    }
    expect(states(m.sha)).toEqual(["in_progress", "success"]);
    expect(parent()?.metadata.annotations?.[ANN_REVISION]).toBe(m.sha);
    expect(stack.kube.get("v1", "ConfigMap", "web-config", "shop")!.data).toEqual({ LOG_LEVEL: "error" });
  });
});

describe("two replicas", () => {
  it("lets only one of two Converge instances apply an environment (Lease)", async () => {
    const second = await startStack({ verifyTimeoutMs: 30_000, identity: "replica-b" }, stack);
    try {
      const m = mergeChange(stack, REPO, "both", { "deploy/production/web.yaml": web("ghcr.io/acme/web:1.7.0") }, "both");
      stack.kube.resetRequests();
      const payload = pushPayload(stack, REPO, m);
      await Promise.all([stack.send("push", payload, "replica-a-delivery"), second.send("push", payload, "replica-b-delivery")]);
      await Promise.all([stack.idle(), second.idle()]);
      expect(deploymentsFor(m.sha)).toHaveLength(1);
      expect(states(m.sha)).toEqual(["in_progress", "success"]);
      const applies = stack.kube.requests.filter((r) => r.method === "PATCH" && r.path === "/apis/apps/v1/namespaces/shop/deployments/web" && r.query.dryRun !== "All");
      expect(applies).toHaveLength(1);
      expect(stack.kube.requests.some((r) => r.path.includes("/leases/"))).toBe(true);
    } finally {
      await second.close();
    }
  });
});
