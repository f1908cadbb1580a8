// Health of any other kind, from the conventions most controllers follow:
// observedGeneration, spec.suspend, kstatus (Stalled, Reconciling) and a
// Ready or Available condition. An object with no status is healthy: for a
// ConfigMap or a Role, existing is all there is to it.
import type { KubeObject } from "../manifests/object.js";
import { conditionOf, generationOf, int, specOf, statusOf, type Condition } from "./fields.js";
import type { HealthResult } from "./status.js";

/**
 * Reasons controllers use for a False condition that will not fix itself by
 * waiting ("BuildFailed", "ReconcileError", "InvalidConfig"…). Deliberately
 * not "NotFound"/"DoesNotExist": cert-manager reports a Certificate that is
 * still being issued as Ready=False reason DoesNotExist.
 */
const FAILED_REASON = /fail|error|invalid|denied|forbidden|backoff|crash|exceeded|timeout|timedout|conflict|rejected|stalled/i;

export function looksFailed(reason: string | undefined): boolean {
  return reason !== undefined && FAILED_REASON.test(reason);
}

export function genericHealth(obj: KubeObject): HealthResult {
  if (specOf(obj).suspend === true) return { status: "Suspended", reason: "Suspended", message: "spec.suspend is true" };
  const status = statusOf(obj);
  if (Object.keys(status).length === 0) return { status: "Healthy" };

  const generation = generationOf(obj);
  const observed = status.observedGeneration;
  if (observed !== undefined && int(observed) < generation) {
    return { status: "Progressing", reason: "ObservedGenerationBehind", message: `waiting for generation ${generation} to be observed (observed ${int(observed)})` };
  }

  const stalled = conditionOf(obj, "Stalled");
  if (stalled?.status === "True") return { status: "Degraded", reason: stalled.reason ?? "Stalled", message: stalled.message };

  const ready = conditionOf(obj, "Ready") ?? conditionOf(obj, "Available");
  if (ready) {
    // A condition written for an older generation says nothing about this one.
    if (ready.observedGeneration !== undefined && ready.observedGeneration < generation) {
      return { status: "Progressing", reason: "ObservedGenerationBehind", message: `${ready.type} condition is for generation ${ready.observedGeneration}` };
    }
    if (ready.status === "False") return fromFalse(ready);
    if (ready.status === "Unknown") return { status: "Progressing", reason: ready.reason ?? "Unknown", message: ready.message };
  }

  const reconciling = conditionOf(obj, "Reconciling");
  if (reconciling?.status === "True") return { status: "Progressing", reason: reconciling.reason ?? "Reconciling", message: reconciling.message };
  return ready ? { status: "Healthy", message: ready.message } : { status: "Healthy" };
}

function fromFalse(condition: Condition): HealthResult {
  const reason = condition.reason ?? `${condition.type}False`;
  return { status: looksFailed(condition.reason) ? "Degraded" : "Progressing", reason, message: condition.message };
}
