// CustomResourceDefinition health: Established means its API is served. Names
// that conflict with another CRD never get accepted: that is a failure, while
// Established=False for any other reason is the short install window.
import type { KubeObject } from "../manifests/object.js";
import { conditionOf, conditionsOf } from "./fields.js";
import type { HealthResult } from "./status.js";

export function crdHealth(crd: KubeObject): HealthResult {
  if (conditionsOf(crd).length === 0) {
    return { status: "Progressing", reason: "Pending", message: "waiting for the API server to accept the definition" };
  }
  const terminating = conditionOf(crd, "Terminating");
  if (terminating?.status === "True") return { status: "Progressing", reason: "Terminating", message: terminating.message };

  const names = conditionOf(crd, "NamesAccepted");
  if (names?.status === "False") {
    return { status: "Degraded", reason: names.reason ?? "NamesNotAccepted", message: names.message ?? "names were not accepted" };
  }
  const established = conditionOf(crd, "Established");
  if (established?.status !== "True") {
    return { status: "Progressing", reason: established?.reason ?? "Installing", message: established?.message ?? "waiting to be established" };
  }
  const nonStructural = conditionOf(crd, "NonStructuralSchema");
  if (nonStructural?.status === "True") {
    return { status: "Degraded", reason: "NonStructuralSchema", message: nonStructural.message };
  }
  return { status: "Healthy", message: "established" };
}
