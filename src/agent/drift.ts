// Drift checks ride on the reconcile walk: an environment whose last deploy
// succeeded is checked when its interval (jittered ±10 %) has passed. The
// check runs in the environment's deploy queue slot, so in this replica it
// never overlaps a deploy; the Lease covers the other replicas.
import type { EnvironmentVisit } from "./reconcile.js";
import { checkDrift, type DriftResult } from "../engine/drift.js";
import type { Runtime } from "../runtime.js";
import { deployKey } from "./deploys.js";

export function driftVisitor(rt: Runtime, now: () => number = Date.now): (v: EnvironmentVisit) => Promise<void> {
  const due = new Map<string, number>();
  return async (v) => {
    if (v.env.drift.action === "off" || v.inventory.result !== "succeeded") return;
    const key = `${v.repo.owner}/${v.repo.repo}/${v.env.name}`.toLowerCase();
    const next = due.get(key);
    if (next !== undefined && now() < next) return;
    due.set(key, now() + v.env.drift.interval * 1000 * (0.9 + Math.random() * 0.2));
    void runDriftCheck(rt, v);
  };
}

/** Queue one drift check for an environment (also used by tests and the timer). */
export async function runDriftCheck(rt: Runtime, v: Omit<EnvironmentVisit, "head">): Promise<DriftResult | undefined> {
  let result: DriftResult | undefined;
  // A deploy of this environment running or queued here goes first: wait for it
  // (submitting now would replace a queued deploy). checkDrift then notices
  // when that deploy changed the revision and leaves the rest to the next walk.
  for (let waited = 0; rt.deploys.busy(v.repo, v.env.name); waited += 200) {
    if (waited > 30 * 60_000) return { kind: "skipped", why: "a deploy kept the environment busy" };
    await new Promise((r) => setTimeout(r, 200));
  }
  const key = deployKey(v.repo, v.env.name);
  const deps = rt.deployDeps();
  return rt.queue
    .submit(key, "drift-check", async () => {
      result = await checkDrift(
        { gh: v.gh, repo: v.repo, env: v.env, inventory: v.inventory },
        {
          clusters: rt.clusters,
          log: rt.log,
          identity: deps.identity,
          leaseNamespace: deps.leaseNamespace,
          events: rt.events,
          // Not awaited: the re-apply queues behind this check in the same slot.
          heal: async (req, report) => void rt.deploys.schedule(req.gh, req.repo, req.env, req.inventory.revision!, "drift", report),
        },
      );
      rt.log.info({ repository: `${v.repo.owner}/${v.repo.repo}`, env: v.env.name, result }, "drift check done");
    })
    .then(() => result);
}
