// Deletes one object (prune). Background propagation like kubectl; a 404 is
// success (someone else already removed it).
import type { KubeClient } from "./client.js";
import { objectPath, type ResourceInfo } from "./discovery.js";
import { isNotFound } from "./errors.js";
import type { ObjectId } from "../manifests/object.js";

export async function deleteObject(client: KubeClient, r: ResourceInfo, id: ObjectId, opts: { dryRun?: boolean } = {}): Promise<"deleted" | "absent"> {
  try {
    await client.request("DELETE", objectPath(r, id.name, r.namespaced ? id.namespace : undefined), {
      query: { propagationPolicy: "Background", dryRun: opts.dryRun ? "All" : undefined },
      retry: true, // DELETE is idempotent for our purpose: a retried 404 counts as done
    });
    return "deleted";
  } catch (err) {
    if (isNotFound(err)) return "absent";
    throw err;
  }
}
