// The Job controller: pods (<job>-<5 characters>) up to parallelism until
// completions succeed (Complete), or until failures pass backoffLimit
// (Failed, BackoffLimitExceeded) or activeDeadlineSeconds (× deadlineScale)
// passes (Failed, DeadlineExceeded); the 1.31+ SuccessCriteriaMet and
// FailureTarget conditions come first, as on the real controller.
// Simplification: replacement pods are created at once (no exponential back-off).

import { podActive, podFromTemplate, podReady } from "./pods.js";
import { JOB, POD, int, omitZero, owned, parseTime, setCondition, time, uniqueName, type Cx, type Obj } from "./shared.js";

const MANAGER = "kube-controller-manager";

export function syncJobs(cx: Cx, each: (o: Obj, fn: (o: Obj) => void) => void): void {
  for (const job of cx.cache.list(JOB)) each(job, () => syncJob(cx, job));
}

function finished(job: Obj): boolean {
  return (job.status?.conditions ?? []).some((c: Obj) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
}

function restartsOf(pod: Obj): number {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].reduce((n: number, cs: Obj) => n + int(cs.restartCount), 0);
}

function syncJob(cx: Cx, job: Obj): void {
  if (finished(job)) return;
  const spec: Obj = job.spec ?? {};
  const prev: Obj = job.status ?? {};
  const now = time(cx.now);
  const pods = owned(cx, POD, job);
  const active = pods.filter(podActive);
  const succeeded = pods.filter((p) => p.status?.phase === "Succeeded").length;
  const failed = pods.filter((p) => p.status?.phase === "Failed").length;
  const backoffLimit = int(spec.backoffLimit, 6);
  const parallelism = int(spec.parallelism, 1);
  const completions = spec.completions === undefined || spec.completions === null ? undefined : int(spec.completions);
  const startTime = prev.startTime ?? (spec.suspend ? undefined : now);
  const onFailure = spec.template?.spec?.restartPolicy === "OnFailure";
  const restarts = onFailure ? active.reduce((n, p) => n + restartsOf(p), 0) : 0;
  const ads = spec.activeDeadlineSeconds;
  const started = parseTime(startTime);

  let outcome: { type: "Complete" | "Failed"; reason: string; message: string } | undefined;
  if (completions !== undefined ? succeeded >= completions : succeeded > 0 && active.length === 0) {
    outcome = { type: "Complete", reason: "CompletionsReached", message: "Reached expected number of succeeded pods" };
  } else if (failed > backoffLimit || (onFailure && (backoffLimit === 0 ? restarts > 0 : restarts >= backoffLimit))) {
    outcome = { type: "Failed", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" };
  } else if (ads !== undefined && started !== undefined && cx.now - started > int(ads) * 1000 * cx.deadlineScale) {
    outcome = { type: "Failed", reason: "DeadlineExceeded", message: "Job was active longer than specified deadline" };
  }

  let conditions: Obj[] | undefined = prev.conditions;
  if (outcome?.type === "Failed" || spec.suspend) for (const p of active) cx.remove(p);
  if (outcome) {
    const first = outcome.type === "Complete" ? "SuccessCriteriaMet" : "FailureTarget";
    conditions = setCondition(conditions, { type: first, status: "True", reason: outcome.reason, message: outcome.message }, now, { update: false });
    conditions = setCondition(conditions, { type: outcome.type, status: "True", reason: outcome.reason, message: outcome.message }, now, { update: false });
    conditions = conditions.map((c) => ({ ...c, lastProbeTime: c.lastProbeTime ?? now }));
    const reason = outcome.type === "Complete" ? "Completed" : outcome.reason;
    cx.event(job, { type: outcome.type === "Complete" ? "Normal" : "Warning", reason, message: outcome.type === "Complete" ? "Job completed" : outcome.message, component: "job-controller" });
  } else if (!spec.suspend) {
    const remaining = completions !== undefined ? completions - succeeded : succeeded > 0 ? 0 : parallelism;
    const want = Math.min(parallelism, remaining);
    for (let i = active.length; i < want; i++) {
      const name = uniqueName(cx, POD, job.metadata.namespace, job.metadata.name);
      if (!cx.write(podFromTemplate(job, spec.template ?? {}, name, {}, `${job.metadata.name}-`), MANAGER)) break;
      cx.event(job, { type: "Normal", reason: "SuccessfulCreate", message: `Created pod: ${name}`, component: "job-controller" });
    }
  }
  const live = owned(cx, POD, job).filter(podActive);
  const status = omitZero({
    startTime,
    active: live.length,
    ready: live.filter(podReady).length,
    succeeded,
    // Active pods deleted because the Job failed count as failed, as on the real controller.
    failed: failed + (outcome?.type === "Failed" ? active.length : 0),
    terminating: 0,
    uncountedTerminatedPods: {},
    conditions,
    ...(outcome?.type === "Complete" ? { completionTime: now } : {}),
  }, ["ready", "terminating"]);
  cx.write({ ...job, status }, MANAGER, "status");
}
