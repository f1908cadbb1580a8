// The inventory parent (a core v1 ConfigMap, see inventory/applyset.ts) as the
// cluster has it: one GET, no discovery needed. Every reader of "what was
// deployed here" goes through readInventory.
import type { KubeClient } from "./client.js";
import { isNotFound } from "./errors.js";
import { parseParent, type InventoryState, type ParentRef } from "../inventory/applyset.js";
import type { KubeObject } from "../manifests/object.js";

function parentPath(ref: ParentRef): string {
  return `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/configmaps/${encodeURIComponent(ref.name)}`;
}

export async function readInventory(client: KubeClient, ref: ParentRef): Promise<InventoryState> {
  try {
    return parseParent(await client.request<KubeObject>("GET", parentPath(ref)), ref);
  } catch (err) {
    if (isNotFound(err)) return parseParent(undefined, ref);
    throw err;
  }
}

/** Sets one annotation on the parent without an apply; nothing to do when there is no parent yet. */
export async function annotateInventory(client: KubeClient, ref: ParentRef, annotation: string, value: string): Promise<void> {
  try {
    await client.request("PATCH", parentPath(ref), {
      body: { metadata: { annotations: { [annotation]: value } } },
      contentType: "application/merge-patch+json",
      query: { fieldManager: "converge" },
    });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
