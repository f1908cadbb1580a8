// May this repository deploy these objects to this cluster? Pure: the caller
// has the registry and the rendered objects. Reasons are whole sentences
// because they go straight into a red check run.

import { globMatch } from "./glob.js";
import type { ClusterEntry, ClusterRegistry } from "./registry.js";

export interface AccessRequest {
  cluster: string;
  /** "owner/name". */
  repository: string;
  /**
   * Namespaces of the namespaced objects to apply. Callers should add the
   * names of Namespace objects too: creating or changing a namespace is a way
   * into it even though the Namespace itself is cluster-scoped.
   */
  namespaces: string[];
  /** Whether any object is cluster-scoped. */
  clusterScoped: boolean;
}

export type AccessResult = { allowed: true; entry: ClusterEntry } | { allowed: false; reason: string };

export function checkClusterAccess(registry: ClusterRegistry, req: AccessRequest): AccessResult {
  const entry = registry.clusters.find((c) => c.name === req.cluster);
  if (!entry) return { allowed: false, reason: `cluster "${req.cluster}" is not in the cluster registry` };
  const where = `cluster "${entry.name}"`;

  // GitHub owner and repository names are case-insensitive.
  if (!entry.repositories.some((p) => globMatch(p, req.repository, true))) {
    return { allowed: false, reason: `${where} does not accept repository "${req.repository}" (allowed: ${entry.repositories.join(", ")})` };
  }
  if (entry.namespaces) {
    const allowed = entry.namespaces;
    const denied = [...new Set(req.namespaces)].filter((ns) => !allowed.some((p) => globMatch(p, ns)));
    if (denied.length > 0) {
      const names = denied.map((ns) => `"${ns}"`).join(", ");
      const shown = allowed.filter((p) => p !== "");
      const list = shown.length > 0 ? shown.join(", ") : "none";
      return {
        allowed: false,
        reason: `${where} does not allow ${denied.length === 1 ? "namespace" : "namespaces"} ${names} for ${req.repository} (allowed: ${list})`,
      };
    }
  }
  if (req.clusterScoped && !entry.allowClusterScoped) {
    return { allowed: false, reason: `${where} does not allow cluster-scoped objects (such as Namespaces, CRDs, ClusterRoles) for ${req.repository}` };
  }
  return { allowed: true, entry };
}
