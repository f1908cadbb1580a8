// kill -9 in the middle of applying, twenty times, at seeded random points:
// Converge runs as a child process (test/support/child-app.ts) against the
// simulators this test owns. Each round merges a change, lets a child start
// applying it, SIGKILLs it a random number of API requests later and starts a
// new one, whose start-up reconcile walk (or the next push) must finish the
// job. At the end the cluster must be exactly Git's head, healthy, with a
// truthful inventory; no object may ever have been applied with an older
// commit after a newer one; and no GitHub Deployment may be left in progress.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitHubSim, type GitHubSim } from "../support/github/index.js";
import { startKubeSim, type KubeSim } from "../support/kube/index.js";
import { startController, type Controller } from "../support/kube/controller.js";
import { freePort } from "../support/stack.js";
import { ensureChildBuilt, killAllChildren, startSpare, type Child, type ChildOptions, type Spare } from "../support/child-process.js";
import { ANN_GROUP_KINDS, ANN_RESULT, ANN_REVISION, LABEL_PART_OF, applySetId, parentRef } from "../../src/inventory/applyset.js";
import { groupKind, idKey, idOf, type KubeObject } from "../../src/manifests/object.js";
import { chaosChange, chaosFiles, chaosObjects, initialChaos, mutateChaos, CHAOS_NS, type ChaosState } from "./chaos-repo.js";
import { faultSeed, seeded } from "./random.js";

const REPO = "acme/chaos";
const SECRET = "kill-test-secret";
const IDENTITY = "converge-0"; // like a pod name: the same across restarts of the container
const ROUNDS = 20;
const rng = seeded(faultSeed(20_250_101));

let gh: GitHubSim;
let kube: KubeSim;
let controller: Controller;
let kubeconfigPath: string;
let port: number;
let child: Child | undefined;
let children = 0;
let spare: Promise<Spare> | undefined;
/** What main holds now (the first test leaves it at its last round). */
let state: ChaosState = initialChaos();

/** Every request the cluster saw, with the child that was alive when it arrived. */
interface Seen {
  child: number;
  method: string;
  path: string;
  dryRun: boolean;
  revision?: string;
}
const seen: Seen[] = [];
/** Armed per round: SIGKILL the child `further` requests after its first real apply of `sha`. */
let trigger: { sha: string; further: number; started: boolean; fired?: (when: "during" | "after") => void } | undefined;

/** CONVERGE_FAULT_DEBUG=1: one line per round (kill point, timings). */
function debug(line: string): void {
  if (process.env.CONVERGE_FAULT_DEBUG) console.info(line);
}

function revisionOf(body: unknown): string | undefined {
  return (body as KubeObject | undefined)?.metadata?.annotations?.[ANN_REVISION];
}

function childOptions(): ChildOptions {
  return { gh, secret: SECRET, kubeconfigPath, port, identity: IDENTITY, reconcileIntervalMs: 60_000, verifyTimeoutMs: 20_000, pollMs: 50 };
}

/** Starts the next Converge (a warm spare that already loaded its code) and prepares the one after. */
async function spawnChild(): Promise<Child> {
  const ready = await (spare ?? startSpare(childOptions()));
  spare = startSpare(childOptions());
  spare.catch(() => undefined); // a spare killed by afterAll before it was ready is no failure
  children++;
  child = await ready.go();
  return child;
}

async function killChild(): Promise<void> {
  if (!child) return;
  child.kill("SIGKILL");
  await child.exited;
  child = undefined;
}

function merge(from: ChaosState, to: ChaosState, round: number): string {
  const before = gh.ref(REPO, "main")!;
  const branch = `change-${round}`;
  gh.createBranch(REPO, branch, before);
  gh.commit(REPO, branch, chaosChange(from, to), { message: `change ${round}`, author: "alice" });
  const n = gh.openPull(REPO, { head: branch, title: `Change ${round}`, user: "alice" });
  return gh.mergePull(REPO, n, { user: "bob" });
}

function pushPayload(before: string, after: string): unknown {
  return gh.events.push(REPO, "refs/heads/main", before, after, "bob");
}

function parent(): KubeObject | undefined {
  const ref = parentRef(REPO, "production", CHAOS_NS);
  return kube.get("v1", "ConfigMap", ref.name, ref.namespace);
}

async function until(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  ensureChildBuilt();
  gh = await startGitHubSim();
  kube = await startKubeSim();
  kubeconfigPath = kube.writeKubeconfig(await mkdtemp(join(tmpdir(), "converge-kill-")));
  controller = startController(kube, { readyAfterMs: 50 });
  port = await freePort();
  kube.intercept((r) => {
    const dryRun = r.query.dryRun !== undefined;
    const revision = r.method === "PATCH" && !dryRun ? revisionOf(r.body) : undefined;
    seen.push({ child: children, method: r.method, path: r.path, dryRun, revision });
    const t = trigger;
    if (!t) return undefined;
    if (!t.started) t.started = revision === t.sha && !r.path.includes("/configmaps/converge-");
    else t.further--;
    // The deploy finished before the count ran out (it releases the lease): crash right after it.
    const released = t.started && r.method === "PUT" && r.path.includes("/leases/") && (r.body as { spec?: { holderIdentity?: string | null } })?.spec?.holderIdentity === null;
    if (t.started && (t.further <= 0 || released)) {
      child?.kill("SIGKILL"); // mid-request: this request is still served, the process is gone
      trigger = undefined;
      t.fired?.(released ? "after" : "during");
    }
    return undefined;
  });
}, 120_000); // tsc when dist/ is stale

afterAll(async () => {
  kube?.intercept(undefined);
  await killAllChildren(); // the spare too: no child outlives the test
  await controller?.stop();
  await gh?.close();
  await kube?.close();
});

describe("kill -9 during apply", () => {
  it(`converges after ${ROUNDS} crashes at random points, never going back to an older commit`, async () => {
    const t0 = Date.now();
    gh.createRepo(REPO, { files: chaosFiles(state) });
    gh.addUser("alice");
    gh.addUser("bob");
    const order = new Map<string, number>([[gh.ref(REPO, "main")!, 0]]);

    // The first deploy, undisturbed.
    await spawnChild();
    expect(await child!.send("push", pushPayload("0".repeat(40), gh.ref(REPO, "main")!))).toBe(200);
    await until("the first deploy", () => parent()?.metadata.annotations?.[ANN_RESULT] === "succeeded", 30_000);

    const kills: Array<{ round: number; via: string; further: number; landed: boolean }> = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const roundStart = Date.now();
      const previous = state;
      state = mutateChaos(state, rng);
      const before = gh.ref(REPO, "main")!;
      const sha = merge(previous, state, round);
      order.set(sha, round);
      const further = rng.int(0, 40); // an apply of ~30 objects is ~35 requests, then verification
      const fired = new Promise<"during" | "after">((resolve) => (trigger = { sha, further, started: false, fired: resolve }));
      // Mostly the push webhook; sometimes nothing, so only a restart's reconcile walk can find the commit.
      const viaPush = rng.chance(0.75);
      if (viaPush) await child!.send("push", pushPayload(before, sha)).catch(() => 0);
      else await killChild(); // a crash while idle: the push was "lost"
      if (!child) await spawnChild();
      const when = await Promise.race([fired, new Promise<"never">((r) => setTimeout(() => r("never"), 10_000))]);
      const landed = when === "during";
      trigger = undefined;
      kills.push({ round, via: viaPush ? "push" : "walk", further, landed });
      await killChild();
      await spawnChild();
      debug(`round ${round}: via ${viaPush ? "push" : "walk"}, kill ${when} the apply (${further} requests in), ${Date.now() - roundStart} ms, ${Date.now() - t0} ms in all`);
    }

    // Nothing more is sent: the last child's start-up walk finishes whatever the last kill interrupted.
    const head = gh.ref(REPO, "main")!;
    await until("convergence on the head", () => parent()?.metadata.annotations?.[ANN_REVISION] === head && parent()?.metadata.annotations?.[ANN_RESULT] === "succeeded", 30_000);
    await until("GitHub Deployment of the head", () => gh.deployments(REPO).some((d) => d.sha === head && d.statuses.at(-1)?.state === "success"), 10_000);
    const elapsed = Date.now() - t0;

    // Most kills landed inside a deploy (the rest right after one: still a crash at a random point).
    expect(kills.filter((k) => k.landed).length, JSON.stringify(kills)).toBeGreaterThanOrEqual(ROUNDS * 0.75);

    // The cluster is Git's head, and healthy.
    const want = new Map(chaosObjects(state).map((o) => [idKey(idOf(o)), o as KubeObject & { spec?: any }] as const));
    const id = applySetId(parentRef(REPO, "production", CHAOS_NS));
    const members = kube.list().filter((o) => o.metadata.labels?.[LABEL_PART_OF] === id);
    expect(members.map((o) => idKey(idOf(o))).sort()).toEqual([...want.keys()].sort());
    for (const m of members) expect(m.metadata.annotations?.[ANN_REVISION], idKey(idOf(m))).toBe(head);
    for (const d of kube.list({ kind: "Deployment", namespace: CHAOS_NS })) {
      const spec = d.spec as { replicas: number; template: { spec: { containers: Array<{ image: string }> } } };
      const status = d.status as { observedGeneration?: number; updatedReplicas?: number; availableReplicas?: number };
      expect(status.observedGeneration, d.metadata.name).toBe(d.metadata.generation);
      expect(status.availableReplicas, d.metadata.name).toBe(spec.replicas);
      expect(status.updatedReplicas, d.metadata.name).toBe(spec.replicas);
      expect(spec.template.spec.containers[0]!.image).toBe(want.get(idKey(idOf(d)))!.spec!.template.spec.containers[0].image);
    }
    // The inventory parent names exactly the live members' group-kinds (no orphan can hide).
    const kinds = (parent()!.metadata.annotations![ANN_GROUP_KINDS] ?? "").split(",").filter(Boolean).sort();
    expect(kinds).toEqual([...new Set(members.map((m) => groupKind(idOf(m))))].sort());

    // Never an older commit after a newer one, per object, across all children.
    const last = new Map<string, { round: number; child: number }>();
    const regressions: string[] = [];
    for (const s of seen) {
      if (s.method !== "PATCH" || s.dryRun || !s.revision || s.path.includes("/leases/")) continue;
      const round = order.get(s.revision);
      if (round === undefined) continue;
      const prev = last.get(s.path);
      if (prev && round < prev.round) regressions.push(`${s.path}: round ${prev.round} (child ${prev.child}) then round ${round} (child ${s.child})`);
      last.set(s.path, { round, child: s.child });
    }
    expect(regressions).toEqual([]);

    // GitHub: one Deployment per deploy that applied, none left in progress.
    const deployments = gh.deployments(REPO).filter((d) => !(d.description ?? "").startsWith("Superseded"));
    const open = deployments.filter((d) => !["success", "failure", "error", "inactive"].includes(d.statuses.at(-1)?.state ?? "pending"));
    expect(open.map((d) => `${d.sha.slice(0, 7)}: ${d.statuses.map((s) => s.state).join(" → ") || "no status"}`)).toEqual([]);
    const attempts = new Map<string, Set<number>>();
    for (const s of seen) {
      if (s.method !== "PATCH" || s.dryRun || !s.revision || s.path.includes("/configmaps/converge-")) continue;
      if (!attempts.has(s.revision)) attempts.set(s.revision, new Set());
      attempts.get(s.revision)!.add(s.child);
    }
    for (const [sha, by] of attempts) {
      expect(deployments.filter((d) => d.sha === sha).length, `Deployments of ${sha.slice(0, 7)} (applied by children ${[...by].join(", ")})`).toBe(by.size);
    }
    const interrupted = deployments.filter((d) => d.statuses.at(-1)?.state === "error");
    for (const d of interrupted) expect(d.statuses.at(-1)!.description).toMatch(/interrupted/i);
    expect(gh.unexpected).toEqual([]);
    console.info(`kill -9: ${ROUNDS} rounds, ${children} children, ${kills.filter((k) => k.landed).length} kills mid-deploy, ${interrupted.length} Deployments marked interrupted, converged in ${elapsed} ms`);
  }, 150_000); // ~40 s on an idle machine; the margin is for a loaded CI box
  it("a crash between the cluster's record and GitHub's report: the restart reports the deploy as it ended, without redoing it", async () => {
    expect(child?.alive()).toBe(true);
    const previous = state;
    state = mutateChaos(state, rng);
    const before = gh.ref(REPO, "main")!;
    const sha = merge(previous, state, ROUNDS + 1);
    // Die at the moment the child tells GitHub "success": the cluster already recorded the revision.
    let killed = false;
    const remove = gh.intercept((req) => {
      if (killed || req.method !== "POST" || !req.route?.endsWith("/statuses") || (req.body as { state?: string } | undefined)?.state !== "success") return undefined;
      killed = true;
      child?.kill("SIGKILL");
      return { status: 502 };
    });
    try {
      await child!.send("push", pushPayload(before, sha));
      await until("the crash before the report", () => killed, 30_000);
    } finally {
      remove();
    }
    await killChild();
    expect(parent()?.metadata.annotations?.[ANN_REVISION]).toBe(sha);
    expect(parent()?.metadata.annotations?.[ANN_RESULT]).toBe("succeeded");
    const applied = seen.length;
    await spawnChild();
    const ours = () => gh.deployments(REPO).filter((d) => d.sha === sha);
    await until("the restart's report", () => ours()[0]?.statuses.at(-1)?.state === "success", 15_000);
    expect(ours()).toHaveLength(1);
    expect(ours()[0]!.statuses.map((s) => s.state)).toEqual(["in_progress", "success"]);
    expect(ours()[0]!.statuses.at(-1)!.description).toMatch(/reported after a restart/);
    // Nothing was applied again: the walk saw the head deployed and only closed the report.
    expect(seen.slice(applied).filter((s) => s.method === "PATCH" && !s.dryRun)).toEqual([]);
  }, 60_000);
});
