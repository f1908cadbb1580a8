// checkDrift: does the live state still match the revision deployed last?
//   lease      shared with deploys: a drift check never overlaps a deploy of the same environment
//   plan       dry-run plan of the deployed revision against live (cached tarball; batched reads)
//   act        heal → queue a re-apply (a Deployment marked as drift correction)
//              report → one issue per environment, updated while drift persists, closed when it ends
// Any create (deleted by hand), update (changed by hand) or delete (an extra
// member) outside ignoreDifferences is drift.
import type { Logger } from "pino";
import type { EnvironmentConfig } from "../config/types.js";
import type { ClusterPool } from "../agent/clusters.js";
import type { ConvergeEmitter } from "../agent/events.js";
import { acquireLease } from "../cluster/lease.js";
import { markInterrupted } from "./deploy.js";
import { checkoutFromTarball } from "../github/checkout.js";
import { cachedTarball } from "../github/tarball-cache.js";
import { closeTopicIssue, findTopicIssue, openTopicIssue, updateTopicIssue } from "../github/issues.js";
import { fullName, type GitHub, type RepoRef } from "../github/types.js";
import { parentRef, type InventoryState } from "../inventory/applyset.js";
import { renderText } from "../report/text.js";
import { DRIFT_LABEL, driftIssueBody, driftMarker, driftTitle, parseFirstSeen } from "../report/drift.js";
import { planEnvironment } from "./plan.js";
import type { Plan } from "../diff/plan.js";

export interface DriftRequest {
  gh: GitHub;
  repo: RepoRef;
  env: EnvironmentConfig;
  inventory: InventoryState;
}

export interface DriftDeps {
  clusters: ClusterPool;
  log: Logger;
  identity: string;
  leaseNamespace: string;
  events?: ConvergeEmitter;
  /** Queue a re-apply of the deployed revision (heal). */
  heal: (req: DriftRequest, report: string) => Promise<void>;
  now?: () => Date;
}

export type DriftResult = { kind: "skipped"; why: string } | { kind: "clean" } | { kind: "drifted"; objects: number };

export async function checkDrift(req: DriftRequest, deps: DriftDeps): Promise<DriftResult> {
  const { gh, repo, env, inventory } = req;
  const revision = inventory.revision;
  if (env.drift.action === "off") return { kind: "skipped", why: "drift checks are off" };
  if (!revision || inventory.result !== "succeeded") return { kind: "skipped", why: "the last deploy did not succeed" };
  const target = deps.clusters.target(fullName(repo), env.cluster);
  if ("refused" in target) return { kind: "skipped", why: target.refused };
  const log = deps.log.child({ repository: fullName(repo), env: env.name, revision });

  // lease
  const parent = parentRef(fullName(repo), env.name, env.namespace);
  const lease = await acquireLease(target.client, { namespace: deps.leaseNamespace, name: parent.name, identity: deps.identity, waitMs: 5 * 60_000 });
  if (!lease) return { kind: "skipped", why: "the environment's lease stayed busy" };
  try {
    // Its last holder crashed: close the Deployment it left in progress (see deploy.ts).
    if (lease.takenOver) await markInterrupted(gh, repo, env.name, inventory, log);
    // Plan and act under the lease: another replica checking the same
    // environment waits, then finds (and updates) the same issue.
    return await planAndAct(req, deps, target, revision, log);
  } finally {
    await lease.release();
  }
}

async function planAndAct(req: DriftRequest, deps: DriftDeps, target: Exclude<ReturnType<ClusterPool["target"]>, { refused: string }>, revision: string, log: Logger): Promise<DriftResult> {
  const { gh, repo, env } = req;
  let drifted: { count: number; text: string; plan: Plan } | undefined;
  // plan
  const checkout = await checkoutFromTarball(await cachedTarball(gh, repo, revision));
  try {
    const planned = await planEnvironment({ env, root: checkout.root, repository: fullName(repo), revision, client: target.client, authorize: target.authorize });
    if (planned.plan.errors.length) return { kind: "skipped", why: `plan of ${revision.slice(0, 7)} has errors` };
    if (planned.inventory.revision !== revision) return { kind: "skipped", why: "a deploy changed the environment meanwhile" };
    const changes = planned.plan.changes.filter((c) => c.action !== "unchanged");
    if (changes.length) drifted = { count: changes.length, text: renderText(planned.plan), plan: planned.plan };
  } finally {
    await checkout.dispose();
  }

  // act
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const existing = env.drift.action === "report" || !drifted ? await findTopicIssue(gh, repo, DRIFT_LABEL, driftMarker(env.name)) : undefined;
  if (!drifted) {
    if (existing) {
      await closeTopicIssue(gh, repo, existing.number, `Live state of **${env.name}** matches Git at \`${revision.slice(0, 7)}\` again (checked ${now}). Closing.`);
      deps.events?.emit("drift", { repo, env: env.name, action: "resolved", objects: 0 });
    }
    return { kind: "clean" };
  }
  log.info({ objects: drifted.count, action: env.drift.action }, "drift detected");
  deps.events?.emit("drift", { repo, env: env.name, action: env.drift.action === "heal" ? "healed" : "detected", objects: drifted.count, report: drifted.text });
  if (env.drift.action === "heal") {
    await deps.heal(req, drifted.text);
  } else {
    const body = driftIssueBody(env.name, revision, drifted.plan, existing ? (parseFirstSeen(existing.body) ?? now) : now, now);
    if (existing) await updateTopicIssue(gh, repo, existing.number, body);
    else await openTopicIssue(gh, repo, driftTitle(env.name), body, DRIFT_LABEL);
  }
  return { kind: "drifted", objects: drifted.count };
}
