// The timer that makes webhooks an optimisation, not a requirement: on start
// and every interval (jittered), for every repository the app is installed
// on, compare each environment's branch head with the revision the cluster
// says was deployed, and queue a deploy when they differ (decide.ts has the
// final word: failed commits are never re-applied on their own). Reads are
// conditional (ETag → 304, free of rate-limit cost); one GET of the inventory
// parent per environment per cycle on the cluster side.
import type { Probot } from "probot";
import type { EnvironmentConfig } from "../config/types.js";
import { readRepoConfig } from "../github/config.js";
import { conditionalGet } from "../github/conditional.js";
import { installationRepos } from "../github/installations.js";
import type { GitHub, RepoRef } from "../github/types.js";
import { withGitHubRetries } from "../github/retry.js";
import { readInventory as readParent } from "../cluster/inventory.js";
import { parentRef, type InventoryState } from "../inventory/applyset.js";
import type { Runtime } from "../runtime.js";

export interface ReconcileStats {
  repositories: number;
  environments: number;
  deploysQueued: number;
  errors: number;
}

export interface EnvironmentVisit {
  gh: GitHub;
  repo: RepoRef;
  env: EnvironmentConfig;
  head: string;
  inventory: InventoryState;
}

export interface Reconciler {
  runOnce(): Promise<ReconcileStats>;
  stop(): void;
}

/** `visit` lets other periodic work (drift checks) ride on the same walk. */
export function startReconciler(app: Probot, rt: Runtime, intervalMs: number, visit?: (v: EnvironmentVisit) => Promise<void>): Reconciler {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<ReconcileStats> | undefined;
  // Environments seen once by this process: the first visit also closes what a crash left open.
  const seen = new Set<string>();

  async function runOnce(): Promise<ReconcileStats> {
    if (running) return running; // never two walks at once
    running = walk(app, rt, seen, visit).finally(() => (running = undefined));
    return running;
  }

  function arm(): void {
    if (stopped || intervalMs <= 0) return;
    const jitter = intervalMs * (0.9 + Math.random() * 0.2);
    timer = setTimeout(() => {
      runOnce()
        .then((s) => rt.log.info(s, "reconcile cycle done"))
        .catch((err) => rt.log.error({ err }, "reconcile cycle failed"))
        .finally(arm);
    }, jitter);
    timer.unref();
  }

  arm();
  return {
    runOnce,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

async function walk(app: Probot, rt: Runtime, seen: Set<string>, visit?: (v: EnvironmentVisit) => Promise<void>): Promise<ReconcileStats> {
  const stats: ReconcileStats = { repositories: 0, environments: 0, deploysQueued: 0, errors: 0 };
  const appGh = withGitHubRetries((await app.auth()) as unknown as GitHub);
  const installations = await appGh.paginate(appGh.rest.apps.listInstallations, { per_page: 100 });
  for (const inst of installations) {
    const gh = withGitHubRetries((await app.auth(inst.id)) as unknown as GitHub);
    for (const r of await installationRepos(gh, inst.id)) {
      stats.repositories++;
      const repo = { owner: r.owner.login, repo: r.name };
      try {
        const cfg = await readRepoConfig(gh, repo, r.default_branch ?? "main");
        if (cfg.kind !== "ok") continue;
        // Environments often share a branch: read each branch head once per walk.
        const heads = new Map<string, Promise<string | undefined>>();
        for (const env of cfg.config.environments) {
          stats.environments++;
          if (!heads.has(env.branch)) heads.set(env.branch, branchHead(gh, repo, env.branch));
          const head = await heads.get(env.branch)!;
          if (!head) continue;
          const inventory = await readInventory(rt, `${repo.owner}/${repo.repo}`, env);
          if (!inventory) continue;
          const first = !seen.has(`${repo.owner}/${repo.repo}/${env.name}`.toLowerCase());
          seen.add(`${repo.owner}/${repo.repo}/${env.name}`.toLowerCase());
          if (head !== inventory.revision && head !== inventory.failedRevision && !rt.deploys.busy(repo, env.name)) {
            stats.deploysQueued++;
            void rt.deploys.schedule(gh, repo, env, head, "reconcile");
          } else {
            // Nothing to deploy, but a crash (after the cluster recorded the outcome, before
            // GitHub was told) may have left a Deployment in progress: the deploy path
            // closes those when it takes the lease over; here nothing else would.
            if (first) rt.deploys.recover(gh, repo, env);
            if (visit) await visit({ gh, repo, env, head, inventory });
          }
        }
      } catch (err) {
        stats.errors++;
        rt.log.warn({ repository: `${repo.owner}/${repo.repo}`, err: (err as Error).message }, "reconcile of repository failed");
      }
    }
  }
  return stats;
}

async function branchHead(gh: GitHub, repo: RepoRef, branch: string): Promise<string | undefined> {
  const data = await conditionalGet<{ object?: { sha?: string } }>(gh, "GET /repos/{owner}/{repo}/git/ref/{ref}", { ...repo, ref: `heads/${branch}` });
  return data?.object?.sha;
}

/** What the cluster says about the environment; undefined when the cluster may not or cannot be read. */
async function readInventory(rt: Runtime, repository: string, env: EnvironmentConfig): Promise<InventoryState | undefined> {
  const target = rt.clusters.target(repository, env.cluster);
  if ("refused" in target) return undefined;
  return readParent(target.client, parentRef(repository, env.name, env.namespace));
}
