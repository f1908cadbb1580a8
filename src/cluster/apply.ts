// Server-side apply of one object, sent verbatim (JSON is valid YAML) so the
// server's strict field validation sees exactly what is in Git.
import type { KubeClient } from "./client.js";
import { pathOf, type ResourceInfo } from "./discovery.js";
import type { KubeObject } from "../manifests/object.js";

export const FIELD_MANAGER = "converge";

export interface ApplyOptions {
  dryRun?: boolean;
  force?: boolean;
  fieldManager?: string;
}

export async function serverSideApply(client: KubeClient, r: ResourceInfo, obj: KubeObject, opts: ApplyOptions = {}): Promise<KubeObject> {
  const body = r.namespaced ? obj : stripNamespace(obj);
  const result = await client.request<KubeObject>("PATCH", pathOf(r, obj), {
    body,
    contentType: "application/apply-patch+yaml",
    query: {
      fieldManager: opts.fieldManager ?? FIELD_MANAGER,
      fieldValidation: "Strict",
      force: opts.force ? true : undefined,
      dryRun: opts.dryRun ? "All" : undefined,
    },
  });
  return { ...result, apiVersion: obj.apiVersion, kind: obj.kind };
}

// A cluster-scoped object with a namespace in Git is a user slip kubectl
// tolerates; the server would reject the mismatch, so drop it.
function stripNamespace(obj: KubeObject): KubeObject {
  if (obj.metadata.namespace === undefined) return obj;
  const { namespace: _drop, ...metadata } = obj.metadata;
  return { ...obj, metadata: metadata as KubeObject["metadata"] };
}
