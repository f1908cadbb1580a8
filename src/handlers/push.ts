// push to an environment's branch → a deploy job for that commit (the job
// decides whether the commit changes the environment: see engine/decide.ts).
import type { Context } from "probot";
import { readRepoConfig } from "../github/config.js";
import type { GitHub } from "../github/types.js";
import type { Runtime } from "../runtime.js";
import { firstDelivery } from "./pull.js";

export function onPush(rt: Runtime) {
  return async (context: Context<"push">): Promise<void> => {
    const { ref, after, deleted, repository } = context.payload;
    if (deleted || !ref.startsWith("refs/heads/") || /^0+$/.test(after) || !firstDelivery(rt, context)) return;
    const branch = ref.slice("refs/heads/".length);
    const gh = context.octokit as unknown as GitHub;
    const repo = context.repo();
    // Reading the config is one (conditional) call, queued like everything else
    // (one slot per delivery: pushes are never coalesced before their SHAs are seen).
    void rt.queue.submit(`push:${context.id}`, after.slice(0, 7), async () => {
      const cfg = await readRepoConfig(gh, repo, repository.default_branch ?? repository.master_branch ?? "main");
      if (cfg.kind !== "ok") return;
      for (const env of cfg.config.environments.filter((e) => e.branch === branch)) {
        void rt.deploys.schedule(gh, repo, env, after, "push");
      }
    });
  };
}
