// check_run rerequested ("Re-run" in the Checks tab) on one of our checks → preview again.
import type { Context } from "probot";
import { APPROVAL_CHECK, PREVIEW_CHECK } from "../github/checks.js";
import type { Runtime } from "../runtime.js";
import { firstDelivery, later, pullState, schedule } from "./pull.js";

export function onCheckRunRerequested(rt: Runtime) {
  return async (context: Context<"check_run.rerequested">): Promise<void> => {
    const { check_run: run, repository } = context.payload;
    if (![PREVIEW_CHECK, APPROVAL_CHECK].includes(run.name) || !firstDelivery(rt, context)) return;
    later(rt, context, "check run re-run", async () => {
      for (const ref of run.pull_requests) {
        const { data: pr } = await context.octokit.rest.pulls.get({ ...context.repo(), pull_number: ref.number });
        if (pr.state === "open") schedule(rt, context, context.repo(), pullState(pr, repository), "preview");
      }
    });
  };
}
