// Versioned and immutable: desired state lives in Git, every version is kept,
// and a rollback is a new version on top. Over a failed deploy, the revert PR,
// its automatic merge and the deploy of the revert, every Git write Converge
// made is checked: new commits whose parent is the branch head, new branches
// only, every ref update a fast-forward, no force, no deletion.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../support/stack.js";
import { startController, type Controller } from "../support/kube/controller.js";
import { mergeChange, pushPayload, type Merged } from "../support/merge.js";
import { withImage } from "../support/shop.js";
import { deployedRepo, inventory, states, type Repo } from "./support.js";

let stack: Stack;
let controller: Controller;
let repo: Repo;
let broken: Merged;
let mainBefore: string;
let refUpdatesBefore: number;
let kubeAfterFailure: number;

function commit(sha: string) {
  return stack.gh.state.requireRepo(repo.name).objects.commit(sha)!;
}

function isAncestor(a: string, b: string): boolean {
  return stack.gh.state.requireRepo(repo.name).objects.isAncestor(a, b);
}

function revertPulls() {
  return [...stack.gh.state.requireRepo(repo.name).issues.values()].filter((i) => i.pull?.headRef.startsWith("converge/revert-"));
}

beforeAll(async () => {
  stack = await startStack({ verifyTimeoutMs: 20_000 });
  controller = startController(stack.kube, { images: [{ match: /:broken/, behaviour: "imagepullbackoff" }], readyAfterMs: 50 });
  repo = await deployedRepo(stack, "acme/versioned", "versioned", ["    onFailure: revert-merge"]);

  // From here on, every request Converge makes is recorded.
  mainBefore = stack.gh.ref(repo.name, "main")!;
  refUpdatesBefore = stack.gh.refUpdates.length;
  stack.gh.resetCalls();
  broken = mergeChange(stack, repo.name, "broken", { "deploy/production/web.yaml": withImage(repo.files, "ghcr.io/acme/web:broken") }, "Ship a broken image");
  await stack.deliver("push", pushPayload(stack, repo.name, broken), "push-broken");
  kubeAfterFailure = stack.kube.requests.length;
  // The merge of the revert moved main; the reconcile walk deploys it (and a redelivery changes nothing).
  await stack.rt.reconciler!.runOnce();
  await stack.idle();
  await stack.deliver("push", pushPayload(stack, repo.name, broken), "push-broken");
  await stack.deliver("push", pushPayload(stack, repo.name, broken), "push-broken-again");
  await stack.rt.reconciler!.runOnce();
  await stack.idle();
});

afterAll(async () => {
  await controller?.stop();
  await stack?.close();
});

describe("versioned and immutable: rollback is a new commit, history is never rewritten", () => {
  it("rolls back with one revert commit whose parent is the branch head (the failed merge)", () => {
    // (GitHub marks it inactive once a later deploy of the environment succeeds.)
    expect(states(stack, repo.name, broken.sha).slice(0, 2)).toEqual(["in_progress", "failure"]);
    const reverts = revertPulls();
    expect(reverts).toHaveLength(1);
    const pr = stack.gh.pull(repo.name, reverts[0]!.number);
    expect(pr.merged).toBe(true);
    const revertCommit = commit(pr.head.sha);
    expect(revertCommit.parents).toEqual([broken.sha]);
    expect(stack.gh.files(repo.name, pr.head.sha)["deploy/production/web.yaml"]).toBe(repo.files["deploy/production/web.yaml"]);

    const head = stack.gh.ref(repo.name, "main")!;
    expect(commit(head).parents).toEqual([broken.sha, pr.head.sha]); // the merge of the revert PR
    // Every version is kept: the failed merge and everything before it are still in main's history.
    for (const kept of [mainBefore, broken.before, broken.sha]) expect(isAncestor(kept, head), kept).toBe(true);
  });

  it("deploys the revert: the environment runs the previous manifests at the new head", () => {
    const head = stack.gh.ref(repo.name, "main")!;
    expect(inventory(stack, repo)).toMatchObject({ revision: head, result: "succeeded" });
    expect(states(stack, repo.name, head)).toEqual(["in_progress", "success"]);
    expect(JSON.stringify(stack.kube.get("apps/v1", "Deployment", "web", repo.namespace)!.spec)).toContain("ghcr.io/acme/web:1.4.2");
  });

  it("made only fast-forward ref updates: new branches and merges, never a force, never a deletion", () => {
    const writes = stack.gh.calls.filter((c) => c.method !== "GET" && c.route);
    const gitWrites = writes.filter((c) => c.route!.includes("/git/"));
    expect(gitWrites.length).toBeGreaterThan(0);
    // Refs: created (the revert branch), never moved or deleted through the API.
    const refWrites = gitWrites.filter((c) => /\/git\/refs/.test(c.route!));
    expect(refWrites.map((c) => c.route)).toEqual(["POST /repos/{owner}/{repo}/git/refs"]);
    expect(refWrites[0]!.body).toMatchObject({ ref: `refs/heads/converge/revert-${broken.sha.slice(0, 7)}` });
    expect(writes.filter((c) => c.method === "DELETE").map((c) => c.route)).toEqual([]);
    expect(writes.filter((c) => (c.body as { force?: unknown } | undefined)?.force === true)).toEqual([]);
    // Commits: each on top of the branch head it was computed from.
    const commits = gitWrites.filter((c) => c.route === "POST /repos/{owner}/{repo}/git/commits");
    expect(commits).toHaveLength(1);
    expect((commits[0]!.body as { parents: string[] }).parents).toEqual([broken.sha]);

    const updates = stack.gh.refUpdates.slice(refUpdatesBefore);
    expect(updates.filter((u) => u.via !== "helper").length).toBeGreaterThanOrEqual(2); // the revert branch + the merge into main
    for (const u of updates) {
      expect(u.force, JSON.stringify(u)).toBe(false);
      expect(u.fastForward, JSON.stringify(u)).toBe(true);
      expect(u.to, `${u.ref} deleted`).not.toBeNull();
    }
    expect(stack.gh.forcePushes).toEqual([]);
    expect(stack.gh.unexpected).toEqual([]);
  });

  it("never re-applies the failed commit on its own (redelivery and reconcile walks)", () => {
    // One deploy of it (a later push of it is recorded as superseded, never applied).
    const applied = stack.gh.deployments(repo.name).filter((d) => d.sha === broken.sha && d.statuses.some((s) => s.state === "in_progress"));
    expect(applied).toHaveLength(1);
    const reapplied = stack.kube.requests.slice(kubeAfterFailure).filter((r) => r.method === "PATCH" && r.query.dryRun !== "All" && JSON.stringify(r.body ?? "").includes(":broken"));
    expect(reapplied).toEqual([]);
    expect(revertPulls()).toHaveLength(1);
  });
});
