// HorizontalPodAutoscaler health. A missing scale target (AbleToScale=False)
// is a configuration error; missing metrics (ScalingActive=False) are normal
// for a minute after new pods start, so they only keep it Progressing.
import type { KubeObject } from "../manifests/object.js";
import { conditionOf, conditionsOf } from "./fields.js";
import type { HealthResult } from "./status.js";

export function hpaHealth(hpa: KubeObject): HealthResult {
  if (conditionsOf(hpa).length === 0) return { status: "Progressing", reason: "Pending", message: "waiting for the autoscaler to observe its target" };
  const able = conditionOf(hpa, "AbleToScale");
  if (able?.status === "False") return { status: "Degraded", reason: able.reason ?? "FailedGetScale", message: able.message };
  const active = conditionOf(hpa, "ScalingActive");
  if (active?.status === "False" && active.reason !== "ScalingDisabled") {
    return { status: "Progressing", reason: active.reason ?? "ScalingInactive", message: active.message };
  }
  return { status: "Healthy", message: active?.message };
}
