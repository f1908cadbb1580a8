// Probot entry: wires webhook handlers to operations, nothing else.
import type { ApplicationFunction, Probot } from "probot";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRuntime, type ConvergeOptions, type Runtime } from "./runtime.js";
import type { GitHub } from "./github/types.js";
import { onPullRequest, PULL_REQUEST_EVENTS } from "./handlers/pull-request.js";
import { onReview, REVIEW_EVENTS } from "./handlers/review.js";
import { onCheckRunRerequested } from "./handlers/check-run.js";
import { onComment } from "./handlers/comment.js";
import { onMergeGroup } from "./handlers/merge-group.js";

type AddHandler = (handler: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>) => void;

export function createConverge(opts: ConvergeOptions = {}, onRuntime?: (rt: Runtime) => void): ApplicationFunction {
  return (app: Probot, { addHandler }: { addHandler?: AddHandler } = {}) => {
    const rt = createRuntime(app.log, async () => (await app.auth()) as unknown as GitHub, opts);
    onRuntime?.(rt);
    app.on([...PULL_REQUEST_EVENTS], onPullRequest(rt));
    app.on([...REVIEW_EVENTS], onReview(rt));
    app.on("check_run.rerequested", onCheckRunRerequested(rt));
    app.on("issue_comment.created", onComment(rt));
    app.on("merge_group.checks_requested", onMergeGroup(rt));
    addHandler?.((req, res) => {
      if (req.url !== "/healthz") return false;
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
      return true;
    });
    app.log.info({ clusters: rt.clusters.names() }, "Converge loaded");
  };
}

export const converge = createConverge();
export default converge;
