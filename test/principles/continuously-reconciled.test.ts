// Continuously reconciled: agents compare actual with desired state on every
// change *and on a timer*. Here nothing but the reconcile timer acts: no
// webhook, no explicit call. A hand edit in the cluster is healed, and a merge
// whose push webhook never arrived is deployed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../support/stack.js";
import { startController, type Controller } from "../support/kube/controller.js";
import { mergeChange, type Merged } from "../support/merge.js";
import { withImage } from "../support/shop.js";
import { deployedRepo, eventually, inventory, states, type Repo } from "./support.js";

let stack: Stack;
/** The replica with the timer; started after the hand edit and the unannounced merge. */
let timed: Stack | undefined;
let controller: Controller;
let drifting: Repo;
let missed: Repo;
let merged: Merged;
/** What both replicas did after the setup: webhooks received, deploys run (with their trigger). */
const webhooks: string[] = [];
const triggers: string[] = [];

const replicasOf = () => (stack.kube.get("apps/v1", "Deployment", "web", drifting.namespace)!.spec as { replicas: number }).replicas;
const logLevelOf = () => (stack.kube.get("v1", "ConfigMap", "web-config", drifting.namespace)?.data as Record<string, string> | undefined)?.LOG_LEVEL;

beforeAll(async () => {
  // The first replica has no timer (interval 0): it deploys through webhooks only.
  stack = await startStack({ verifyTimeoutMs: 20_000, reconcileIntervalMs: 0 });
  controller = startController(stack.kube, { readyAfterMs: 50 });
  drifting = await deployedRepo(stack, "acme/drifting", "drifting", ["    drift: { interval: 60, action: heal }"]);
  missed = await deployedRepo(stack, "acme/missed", "missed");

  // Untracked hand changes: someone scales the Deployment and edits the ConfigMap with kubectl.
  const web = stack.kube.get("apps/v1", "Deployment", "web", drifting.namespace)!;
  stack.kube.put({ ...web, spec: { ...(web.spec as object), replicas: 5 } });
  const cm = stack.kube.get("v1", "ConfigMap", "web-config", drifting.namespace)!;
  stack.kube.put({ ...cm, data: { LOG_LEVEL: "trace" } });
  // A merge whose push webhook is lost.
  merged = mergeChange(stack, missed.name, "lost-webhook", { "deploy/production/web.yaml": withImage(missed.files, "ghcr.io/acme/web:2.1.0") }, "Lost webhook");

  // A replica whose timer walks every 300 ms (±10 %); its first walk runs 1 s after start.
  timed = await startStack({ verifyTimeoutMs: 20_000, reconcileIntervalMs: 300, identity: "timer" }, stack);
  for (const s of [stack, timed]) {
    s.rt.events.on("webhook", (e) => webhooks.push(e.event));
    s.rt.events.on("deploy", (e) => triggers.push(e.trigger));
  }
});

afterAll(async () => {
  await timed?.close();
  await controller?.stop();
  await stack?.close();
});

describe("continuously reconciled: the timer alone", () => {
  it("heals a hand edit: the drift check rides on the timer's walk and re-applies the deployed commit", async () => {
    expect(replicasOf()).toBe(5);
    await eventually("the hand-edited Deployment and ConfigMap are healed", () => replicasOf() === 2 && logLevelOf() === "info");
    await eventually("the drift correction is recorded", () => stack.gh.deployments(drifting.name).some((d) => (d.description ?? "").includes("Drift correction") && d.statuses.at(-1)?.state === "success"));
    const corrections = stack.gh.deployments(drifting.name).filter((d) => (d.description ?? "").includes("Drift correction"));
    expect(corrections).toHaveLength(1);
    const deployed = inventory(stack, drifting).revision!;
    expect(corrections[0]!.sha).toBe(deployed); // the commit already deployed, re-applied: Git is the truth
    expect(JSON.stringify(corrections[0]!.payload)).toContain("replicas");
  });

  it("catches up a merge whose push webhook never arrived", async () => {
    await eventually("the missed merge is deployed", () => inventory(stack, missed).revision === merged.sha && inventory(stack, missed).result === "succeeded");
    await timed!.idle();
    expect(states(stack, missed.name, merged.sha)).toEqual(["in_progress", "success"]);
    const deployment = stack.gh.deployments(missed.name).find((d) => d.sha === merged.sha)!;
    expect(deployment.description).toContain("reconcile");
    expect(JSON.stringify(stack.kube.get("apps/v1", "Deployment", "web", missed.namespace)!.spec)).toContain("ghcr.io/acme/web:2.1.0");
  });

  it("keeps walking on its own: a second unannounced merge is deployed by a later tick", async () => {
    const again = mergeChange(stack, missed.name, "lost-again", { "deploy/production/web.yaml": withImage(missed.files, "ghcr.io/acme/web:2.2.0") }, "Lost again");
    await eventually("the second missed merge is deployed", () => inventory(stack, missed).revision === again.sha && inventory(stack, missed).result === "succeeded");
    await timed!.idle();
    expect(states(stack, missed.name, again.sha)).toEqual(["in_progress", "success"]);
    // No webhook reached either replica after the setup: the timer did all of it.
    expect(webhooks).toEqual([]);
    expect(triggers.sort()).toEqual(["drift", "reconcile", "reconcile"]);
  });
});
