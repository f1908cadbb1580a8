// The deploy queue: one job at a time per (repository, environment). While a
// deploy runs, newer commits replace older ones waiting behind it; the older
// ones are recorded as superseded when the newest runs. Never an older commit
// after a newer one (decide.ts also checks the cluster's record, for the case
// where another replica deployed in between).
import type { Logger } from "pino";
import type { EnvironmentConfig } from "../config/types.js";
import type { CoalescingQueue } from "./queue.js";
import { deployEnvironment, recoverEnvironment, type DeployDeps, type DeployTrigger } from "../engine/deploy.js";
import type { GitHub, RepoRef } from "../github/types.js";

interface Owed {
  gh: GitHub;
  repo: RepoRef;
  env: EnvironmentConfig;
  sha: string;
  trigger: DeployTrigger;
  superseded: string[];
  driftReport?: string;
}

/** The queue slot of an environment: deploys, recovery and drift checks of it never overlap. */
export function deployKey(repo: RepoRef, env: string): string {
  return `deploy:${repo.owner}/${repo.repo}/${env}`.toLowerCase();
}

export class DeployScheduler {
  private readonly owed = new Map<string, Owed>();

  constructor(
    private readonly queue: CoalescingQueue,
    private readonly deps: () => DeployDeps,
    private readonly log: Logger,
  ) {}

  /** Queue a deploy; returns once it ran (or was superseded). */
  schedule(gh: GitHub, repo: RepoRef, env: EnvironmentConfig, sha: string, trigger: DeployTrigger, driftReport?: string): Promise<void> {
    const key = deployKey(repo, env.name);
    const prev = this.owed.get(key);
    const superseded = prev ? [...prev.superseded, ...(prev.sha !== sha ? [prev.sha] : [])] : [];
    this.owed.set(key, { gh, repo, env, sha, trigger, superseded: superseded.filter((s) => s !== sha), driftReport });
    return this.queue.submit(key, `${trigger}@${sha.slice(0, 7)}`, async () => {
      const job = this.owed.get(key);
      if (!job) return;
      this.owed.delete(key);
      const outcome = await deployEnvironment({ gh: job.gh, repo: job.repo, env: job.env, sha: job.sha, trigger: job.trigger, superseded: job.superseded, driftReport: job.driftReport }, this.deps());
      if (outcome.kind === "skipped") this.log.info({ repository: `${repo.owner}/${repo.repo}`, env: env.name, sha, why: outcome.why }, "deploy skipped");
    });
  }

  /**
   * Close Deployments a crashed holder of the environment's lease left in
   * progress (see recoverEnvironment), in the deploy slot; nothing when a
   * deploy is running or waiting here (it does the same when it takes the lease).
   */
  recover(gh: GitHub, repo: RepoRef, env: EnvironmentConfig): void {
    if (this.busy(repo, env.name)) return;
    void this.queue.submit(deployKey(repo, env.name), "recover", () => recoverEnvironment(gh, repo, env, this.deps()));
  }

  /** Environments with a deploy running or waiting (the drift check must not overlap them). */
  busy(repo: RepoRef, env: string): boolean {
    return this.queue.busy().includes(deployKey(repo, env));
  }
}
