// pull_request: opened / synchronize / reopened / ready_for_review / edited
// (base changed) → preview; labeled / unlabeled → re-evaluate the gate.
import type { Context } from "probot";
import type { Runtime } from "../runtime.js";
import { firstDelivery, pullState, schedule } from "./pull.js";

export function onPullRequest(rt: Runtime) {
  return async (context: Context<"pull_request">): Promise<void> => {
    const { action, pull_request: pr, repository } = context.payload;
    if (pr.state !== "open" || !firstDelivery(rt, context)) return;
    if (action === "edited" && !("base" in (context.payload.changes ?? {}))) return; // title/body edits change nothing
    const job = action === "labeled" || action === "unlabeled" ? "gate" : "preview";
    schedule(rt, context, context.repo(), pullState(pr, repository, action === "opened"), job);
  };
}

export const PULL_REQUEST_EVENTS = [
  "pull_request.opened",
  "pull_request.synchronize",
  "pull_request.reopened",
  "pull_request.ready_for_review",
  "pull_request.edited",
  "pull_request.labeled",
  "pull_request.unlabeled",
] as const;
