// The health vocabulary every other module speaks: an ordered status union,
// one result shape, and the two ways to combine results (isWorse, worstOf).
import { describeId, type KubeObject, type ObjectId } from "../manifests/object.js";

/** Ordered best → worst. Degraded means failed: the deploy should be reverted. */
export type HealthStatus = "Healthy" | "Progressing" | "Suspended" | "Missing" | "Unknown" | "Degraded";

export const HEALTH_ORDER: readonly HealthStatus[] = ["Healthy", "Progressing", "Suspended", "Missing", "Unknown", "Degraded"];

export interface HealthResult {
  status: HealthStatus;
  /** Short machine reason: "ProgressDeadlineExceeded", "CrashLoopBackOff", "RestartLoop"… */
  reason?: string;
  /** One human sentence; for pod failures it names pod, container and image. */
  message?: string;
}

export interface HealthOptions {
  /** Restarts (above the baseline) at which a container counts as failing. Default 3; 0 disables. */
  restartThreshold?: number;
  /** Restart counts seen before the deploy, keyed "pod/container"; missing keys count as 0. */
  baselineRestarts?: Map<string, number>;
}

export interface RelatedObjects {
  /** Pods of the current rollout only (see podsOfRollout); older pods must not fail it. */
  pods?: KubeObject[];
}

/** True when `status` is strictly worse than `than` ("is status worse than than?"). */
export function isWorse(status: HealthStatus, than: HealthStatus): boolean {
  return HEALTH_ORDER.indexOf(status) > HEALTH_ORDER.indexOf(than);
}

/** The first of the worst results; Healthy when there is nothing to assess. */
export function worstOf(results: HealthResult[]): HealthResult {
  let worst: HealthResult = { status: "Healthy" };
  for (const result of results) if (isWorse(result.status, worst.status)) worst = result;
  return worst;
}

/** One line for logs, comments and check runs: "Deployment shop/web: Degraded (ImagePullBackOff: …)". */
export function describeHealth(id: ObjectId, result: HealthResult): string {
  const detail = [result.reason, result.message].filter(Boolean).join(": ");
  return `${describeId(id)}: ${result.status}${detail ? ` (${detail})` : ""}`;
}
