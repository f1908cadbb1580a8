// PersistentVolumeClaim health by phase. A claim on a WaitForFirstConsumer
// storage class stays Pending until a pod uses it; that is Progressing too.
import type { KubeObject } from "../manifests/object.js";
import { specOf, statusOf, text } from "./fields.js";
import type { HealthResult } from "./status.js";

export function pvcHealth(pvc: KubeObject): HealthResult {
  const phase = text(statusOf(pvc).phase);
  if (phase === "Bound") return { status: "Healthy", message: `bound to volume ${text(specOf(pvc).volumeName) ?? "(unknown)"}` };
  if (phase === "Lost") return { status: "Degraded", reason: "ClaimLost", message: "the bound PersistentVolume no longer exists" };
  return { status: "Progressing", reason: phase ?? "Pending", message: "waiting for a volume to be bound" };
}
