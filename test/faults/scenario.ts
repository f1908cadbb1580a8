// One afternoon of a team using Converge, as webhooks: the first deploy of
// the "shop" repository, a PR previewed (opened, then pushed to), approved,
// merged and deployed, then a broken image merged, deployed, failed, and
// reverted by a revert PR. Fault tests run it with and without faults (and
// with every webhook delivered several times) and compare what GitHub and the
// cluster end up with (report.ts).
import type { Stack } from "../support/stack.js";
import { mergeChange, pushPayload } from "../support/merge.js";
import { shopFiles, withImage } from "../support/shop.js";

export const SHOP = "acme/shop";
export const SHOP_NS = "shop";

/** How a webhook reaches the app; must resolve once the app is done with it. */
export type Deliver = (stack: Stack, event: string, payload: unknown) => Promise<void>;

export const once: Deliver = (stack, event, payload) => stack.deliver(event, payload);

export interface ScenarioResult {
  pull: number;
  heads: string[];
  merged: string;
  broken: { number: number; sha: string };
}

export async function shopScenario(stack: Stack, deliver: Deliver = once): Promise<ScenarioResult> {
  const files = await shopFiles({ namespace: SHOP_NS });
  stack.gh.createRepo(SHOP, { files });
  for (const user of ["alice", "bob"]) {
    stack.gh.addUser(user);
    stack.gh.setPermission(SHOP, user, "write");
  }
  // The first deploy of main.
  await deliver(stack, "push", stack.gh.events.push(SHOP, "refs/heads/main", "0".repeat(40), stack.gh.ref(SHOP, "main")!, "bob"));

  // A PR: opened, pushed to, approved, merged.
  stack.gh.createBranch(SHOP, "bump", stack.gh.ref(SHOP, "main")!);
  const heads = [stack.gh.commit(SHOP, "bump", { "deploy/production/web.yaml": withImage(files, "ghcr.io/acme/web:1.5.0") }, { message: "Bump web to 1.5.0", author: "alice" })];
  const pull = stack.gh.openPull(SHOP, { head: "bump", title: "Bump web", user: "alice" });
  await deliver(stack, "pull_request", stack.gh.events.pullRequest(SHOP, "opened", pull, "alice"));
  heads.push(stack.gh.commit(SHOP, "bump", { "deploy/production/web.yaml": withImage(files, "ghcr.io/acme/web:1.5.1"), "deploy/production/config.yaml": files["deploy/production/config.yaml"]!.replace("info", "debug") }, { message: "1.5.1 and debug logs", author: "alice" }));
  await deliver(stack, "pull_request", stack.gh.events.pullRequest(SHOP, "synchronize", pull, "alice"));
  const review = stack.gh.review(SHOP, pull, { user: "bob", state: "APPROVED" });
  await deliver(stack, "pull_request_review", stack.gh.events.review(SHOP, "submitted", review));
  const before = stack.gh.ref(SHOP, "main")!;
  const merged = stack.gh.mergePull(SHOP, pull, { user: "bob" });
  await deliver(stack, "push", pushPayload(stack, SHOP, { before, sha: merged }));

  // A broken image: the deploy fails fast, a revert PR is opened.
  const broken = mergeChange(stack, SHOP, "broken", { "deploy/production/web.yaml": withImage(files, "ghcr.io/acme/web:broken") }, "Ship the broken image");
  await deliver(stack, "push", pushPayload(stack, SHOP, broken));
  return { pull, heads, merged, broken: { number: broken.number, sha: broken.sha } };
}

/** The controller scenario the shop needs: ":broken" images never pull. */
export const SHOP_IMAGES = { images: [{ match: /:broken/, behaviour: "imagepullbackoff" as const }], readyAfterMs: 50 };
