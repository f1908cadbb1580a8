// Job health: the Job's own terminal conditions decide. FailureTarget /
// SuccessCriteriaMet (Kubernetes 1.31+) are set before the pods finish
// terminating, so they give the answer a little earlier than Failed / Complete.
import type { KubeObject } from "../manifests/object.js";
import { conditionOf, int, specOf, statusOf } from "./fields.js";
import type { HealthResult } from "./status.js";

export function jobHealth(job: KubeObject): HealthResult {
  for (const type of ["Failed", "FailureTarget"]) {
    const failed = conditionOf(job, type);
    if (failed?.status === "True") {
      return { status: "Degraded", reason: failed.reason ?? "JobFailed", message: failed.message ?? "job failed" };
    }
  }
  for (const type of ["Complete", "SuccessCriteriaMet"]) {
    if (conditionOf(job, type)?.status === "True") {
      return { status: "Healthy", reason: "Complete", message: `job completed (${int(statusOf(job).succeeded)} succeeded)` };
    }
  }
  if (specOf(job).suspend === true) {
    return { status: "Suspended", reason: "Suspended", message: "job is suspended (spec.suspend: true)" };
  }
  const status = statusOf(job);
  return {
    status: "Progressing",
    reason: "Running",
    message: `${int(status.active)} active, ${int(status.succeeded)} succeeded, ${int(status.failed)} failed pods`,
  };
}
