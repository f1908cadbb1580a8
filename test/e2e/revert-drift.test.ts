// When it goes wrong: revert PRs after a failed deploy, and drift detection.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../support/stack.js";
import { mergeChange, pushPayload } from "../support/merge.js";
import { shopFiles, withImage } from "../support/shop.js";
import { startController, type Controller } from "../support/kube/controller.js";
import { runDriftCheck } from "../../src/agent/drift.js";
import { parentRef, parseParent } from "../../src/inventory/applyset.js";
import { parseConfig } from "../../src/config/index.js";
import type { GitHub } from "../../src/github/types.js";

let stack: Stack;
let controller: Controller;

beforeAll(async () => {
  stack = await startStack({ verifyTimeoutMs: 30_000 });
  controller = startController(stack.kube, { images: [{ match: /:broken/, behaviour: "imagepullbackoff" }], readyAfterMs: 100 });
});

afterAll(async () => {
  await controller?.stop();
  await stack?.close();
});

async function repoWith(name: string, namespace: string, config: string[] = []): Promise<Record<string, string>> {
  const files = await shopFiles({ namespace, config });
  stack.gh.createRepo(name, { files });
  stack.gh.addUser("alice");
  stack.gh.addUser("bob");
  stack.gh.setPermission(name, "alice", "write");
  stack.gh.setPermission(name, "bob", "write");
  // First deploy of main: the environment starts healthy.
  const main = stack.gh.ref(name, "main")!;
  await stack.deliver("push", stack.gh.events.push(name, "refs/heads/main", "0".repeat(40), main, "bob"));
  return files;
}

function issuesOf(repo: string) {
  return [...stack.gh.state.requireRepo(repo).issues.values()];
}

function revertPulls(repo: string) {
  return issuesOf(repo).filter((i) => i.pull && i.pull.headRef.startsWith("converge/revert-"));
}

function env(files: Record<string, string>) {
  return parseConfig(files[".github/converge.yml"]!).environments[0]!;
}

async function installationGh(repo: string): Promise<GitHub> {
  const { ProbotOctokit } = await import("probot");
  return new ProbotOctokit({ auth: { token: stack.gh.installationToken(stack.gh.installationId(repo)) }, baseUrl: stack.gh.apiUrl, throttle: { enabled: false } }) as unknown as GitHub;
}

function inventoryOf(repo: string, namespace: string) {
  const ref = parentRef(repo, "production", namespace);
  return parseParent(stack.kube.get("v1", "ConfigMap", ref.name, ref.namespace), ref);
}

describe("revert PR on failed deploy", () => {
  it("opens one revert PR with the reason within seconds, and never a second one", async () => {
    const REPO = "acme/revert-pr";
    const files = await repoWith(REPO, "rv-pr");
    const m = mergeChange(stack, REPO, "broken", { "deploy/production/web.yaml": withImage(files, "ghcr.io/acme/web:broken") }, "Ship the broken image");
    const t0 = Date.now();
    await stack.deliver("push", pushPayload(stack, REPO, m), "push-broken");
    expect(Date.now() - t0).toBeLessThan(20_000);
    const reverts = revertPulls(REPO);
    expect(reverts).toHaveLength(1);
    const pr = stack.gh.pull(REPO, reverts[0]!.number) as { title: string; body: string; labels: Array<{ name: string }>; head: { ref: string } };
    expect(pr.title).toBe('Revert "Ship the broken image"');
    expect(pr.head.ref).toBe(`converge/revert-${m.sha.slice(0, 7)}`);
    expect(pr.body).toContain("ImagePullBackOff");
    expect(pr.body).toContain(m.sha.slice(0, 7));
    expect(pr.labels.map((l) => l.name)).toContain("converge:revert");
    // The revert restores the previous content of the changed file.
    expect(stack.gh.files(REPO, pr.head.ref)["deploy/production/web.yaml"]).toBe(files["deploy/production/web.yaml"]);

    // Redelivery (same id), a new delivery of the same push, and a restart with a reconcile walk: still one revert PR.
    await stack.deliver("push", pushPayload(stack, REPO, m), "push-broken");
    await stack.deliver("push", pushPayload(stack, REPO, m), "push-broken-again");
    const restarted = await startStack({ verifyTimeoutMs: 30_000, identity: "after-restart" }, stack);
    try {
      await restarted.rt.reconciler!.runOnce();
      await restarted.idle();
    } finally {
      await restarted.close();
    }
    expect(revertPulls(REPO)).toHaveLength(1);
    expect(stack.gh.forcePushes).toEqual([]);
  });

  it("revert-merge: merges the revert, deploys the previous version, and never re-applies the bad commit", async () => {
    const REPO = "acme/revert-merge";
    const files = await repoWith(REPO, "rv-merge", ["    onFailure: revert-merge"]);
    const good = stack.kube.get("apps/v1", "Deployment", "web", "rv-merge")!;
    const m = mergeChange(stack, REPO, "broken", { "deploy/production/web.yaml": withImage(files, "ghcr.io/acme/web:broken") }, "Break it");
    await stack.deliver("push", pushPayload(stack, REPO, m));
    const revert = revertPulls(REPO)[0]!;
    expect((stack.gh.pull(REPO, revert.number) as { merged: boolean }).merged).toBe(true);
    // Before merging, the gate let Converge's own revert through by policy (autoApproveReverts), with no review.
    const gate = stack.gh.checkRuns(REPO, revert.pull!.headSha).filter((r) => r.name === "Converge approval").at(-1);
    expect(gate?.conclusion).toBe("success");
    expect(gate?.output.summary).toMatch(/revert/i);
    // The merge moved main: the reconcile timer (or the push webhook) deploys the revert.
    await stack.rt.reconciler!.runOnce();
    await stack.idle();
    const head = stack.gh.ref(REPO, "main")!;
    expect(inventoryOf(REPO, "rv-merge")).toMatchObject({ revision: head, result: "succeeded" });
    const live = stack.kube.get("apps/v1", "Deployment", "web", "rv-merge")!;
    expect(JSON.stringify(live.spec)).toContain("ghcr.io/acme/web:1.4.2");
    expect(JSON.stringify(good.spec)).toContain("ghcr.io/acme/web:1.4.2");
    // Never again: more walks apply nothing with the broken image.
    stack.kube.resetRequests();
    await stack.rt.reconciler!.runOnce();
    await stack.idle();
    const applies = stack.kube.requests.filter((r) => r.method === "PATCH" && r.query.dryRun !== "All" && JSON.stringify(r.body ?? "").includes(":broken"));
    expect(applies).toEqual([]);
    expect(stack.gh.forcePushes).toEqual([]);
  });

  it("explains a conflict instead of guessing when the same lines changed again", async () => {
    const REPO = "acme/revert-conflict";
    const files = await repoWith(REPO, "rv-conflict");
    // The broken commit lands, and before its deploy finishes someone changes the same line again.
    const m = mergeChange(stack, REPO, "broken", { "deploy/production/web.yaml": withImage(files, "ghcr.io/acme/web:broken") }, "Break it");
    stack.gh.commit(REPO, "main", { "deploy/production/web.yaml": withImage(files, "ghcr.io/acme/web:broken-too") }, { message: "Same line again", author: "carol" });
    await stack.deliver("push", pushPayload(stack, REPO, m));
    expect(revertPulls(REPO)).toHaveLength(0);
    const note = stack.gh.comments(REPO, m.number).map((c) => c.body).find((b) => b.includes("could not revert"));
    expect(note).toContain("deploy/production/web.yaml");
    expect(note).toContain(`git revert ${m.sha}`);
  });
});

describe("drift", () => {
  it("heal: restores a hand-edited Deployment and records a drift-correction Deployment", async () => {
    const REPO = "acme/drift-heal";
    const files = await repoWith(REPO, "dr-heal", ["    drift: { interval: 60, action: heal }"]);
    // A hand edit: someone scales the Deployment outside Git.
    const live = stack.kube.get("apps/v1", "Deployment", "web", "dr-heal")!;
    stack.kube.put({ ...live, spec: { ...(live.spec as object), replicas: 7 } });
    const gh = await installationGh(REPO);
    const result = await runDriftCheck(stack.rt, { gh, repo: { owner: "acme", repo: "drift-heal" }, env: env(files), inventory: inventoryOf(REPO, "dr-heal") });
    expect(result).toMatchObject({ kind: "drifted", objects: 1 });
    await stack.idle();
    expect((stack.kube.get("apps/v1", "Deployment", "web", "dr-heal")!.spec as { replicas: number }).replicas).toBe(2);
    const corrections = stack.gh.deployments(REPO).filter((d) => (d.description ?? "").includes("Drift correction"));
    expect(corrections).toHaveLength(1);
    expect(corrections[0]!.statuses.map((s) => s.state)).toEqual(["in_progress", "success"]);
    expect(JSON.stringify(corrections[0]!.payload)).toContain("replicas");
  });

  it("report: opens one issue, updates it while drift persists, closes it when live matches Git", async () => {
    const REPO = "acme/drift-report";
    const files = await repoWith(REPO, "dr-report", ["    drift: { interval: 60, action: report }"]);
    const repo = { owner: "acme", repo: "drift-report" };
    const gh = await installationGh(REPO);
    const check = () => runDriftCheck(stack.rt, { gh, repo, env: env(files), inventory: inventoryOf(REPO, "dr-report") });
    const cm = stack.kube.get("v1", "ConfigMap", "web-config", "dr-report")!;
    const svc = stack.kube.get("v1", "Service", "web", "dr-report")!;
    stack.kube.put({ ...cm, data: { LOG_LEVEL: "trace" } });
    stack.kube.remove("v1", "Service", "web", "dr-report"); // deleted by hand: drift too
    expect(await check()).toMatchObject({ kind: "drifted", objects: 2 });
    expect(await check()).toMatchObject({ kind: "drifted", objects: 2 });
    const issues = issuesOf(REPO).filter((i) => !i.pull && i.title === "Drift detected in production");
    expect(issues).toHaveLength(1);
    const body = issues[0]!.body ?? "";
    expect(body).toContain("LOG_LEVEL");
    expect(body).toContain("first seen");
    // Fixed by hand: live matches Git again → the issue closes with a comment.
    stack.kube.put({ ...cm, data: { LOG_LEVEL: "info" } });
    stack.kube.put(svc);
    expect(await check()).toMatchObject({ kind: "clean" });
    expect(issues[0]!.state).toBe("closed");
  });
});
