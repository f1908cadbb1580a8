// issue_comment created on a PR: `/converge preview` recomputes, `/converge help` answers.
import type { Context } from "probot";
import type { Runtime } from "../runtime.js";
import { firstDelivery, later, pullState, schedule } from "./pull.js";

export const HELP = `**Converge commands** (comment on a pull request)

| command | what it does |
|---|---|
| \`/converge preview\` | recompute the preview and the approval check for the current head |
| \`/converge help\` | show this help |

The preview also runs on every push; the approval check is re-evaluated on every review and label change.`;

export function onComment(rt: Runtime) {
  return async (context: Context<"issue_comment.created">): Promise<void> => {
    const { comment, issue, repository } = context.payload;
    if (!issue.pull_request || comment.user?.type === "Bot") return;
    const command = /^\/converge\s+(\w+)/.exec(comment.body.trim())?.[1];
    if (!command || !firstDelivery(rt, context)) return;
    if (command === "preview") {
      later(rt, context, "/converge preview", async () => {
        const { data: pr } = await context.octokit.rest.pulls.get({ ...context.repo(), pull_number: issue.number });
        if (pr.state === "open") schedule(rt, context, context.repo(), pullState(pr, repository), "preview");
      });
      return;
    }
    const body = command === "help" ? HELP : `Unknown command \`${command.replace(/`/g, "")}\`.\n\n${HELP}`;
    later(rt, context, "/converge help", async () => {
      await context.octokit.rest.issues.createComment({ ...context.repo(), issue_number: issue.number, body });
    });
  };
}
