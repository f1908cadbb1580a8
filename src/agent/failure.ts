// What happens after a deploy: on failure, the revert PR policy (onFailure);
// on success, revert PRs made obsolete by a later fix are closed.
import { closeObsoleteReverts, openRevert } from "../engine/revert.js";
import { previewPullRequest } from "../engine/preview.js";
import { pullState } from "../handlers/pull.js";
import type { Runtime } from "../runtime.js";

export function wireFailurePolicy(rt: Runtime): void {
  rt.onDeployFailure = async (req, run, deploymentUrl) => {
    const log = rt.log.child({ repository: `${req.repo.owner}/${req.repo.repo}`, env: req.env.name, sha: req.sha });
    const outcome = await openRevert({
      gh: req.gh,
      repo: req.repo,
      env: req.env,
      failedSha: req.sha,
      run,
      deploymentUrl,
      log,
      previewAndGate: async (number) => {
        const [{ data: pr }, { data: repository }] = await Promise.all([req.gh.rest.pulls.get({ ...req.repo, pull_number: number }), req.gh.rest.repos.get({ ...req.repo })]);
        await rt.resolveBotLogin();
        await previewPullRequest(req.gh, req.repo, pullState(pr, repository, true), { clusters: rt.clusters, log, botLogin: rt.botLogin, appId: rt.appId, records: rt.records });
      },
    });
    log.info({ outcome }, "failure policy applied");
    rt.events.emit("revert", { repo: req.repo, env: req.env.name, sha: req.sha, outcome });
  };
  rt.onDeploySuccess = async (req) => {
    await closeObsoleteReverts(req.gh, req.repo, req.env, req.sha, rt.log.child({ repository: `${req.repo.owner}/${req.repo.repo}`, env: req.env.name, sha: req.sha }));
  };
}
