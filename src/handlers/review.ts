// pull_request_review submitted / dismissed / edited → re-evaluate the gate.
import type { Context } from "probot";
import type { Runtime } from "../runtime.js";
import { firstDelivery, pullState, schedule } from "./pull.js";

export function onReview(rt: Runtime) {
  return async (context: Context<"pull_request_review">): Promise<void> => {
    const { pull_request: pr, repository } = context.payload;
    if (pr.state !== "open" || !firstDelivery(rt, context)) return;
    schedule(rt, context, context.repo(), pullState(pr, repository), "gate");
  };
}

export const REVIEW_EVENTS = ["pull_request_review.submitted", "pull_request_review.dismissed", "pull_request_review.edited"] as const;
