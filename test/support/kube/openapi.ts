// A minimal OpenAPI v3 surface: the root index and per group/version documents
// listing each resource's paths and their PATCH query parameters. Enough for
// kubectl to see that the server supports fieldValidation/dryRun (so
// `kubectl apply --server-side` and `kubectl diff` work against the sim).
// Simplification: no component schemas (kubectl cannot validate client-side,
// and `kubectl explain` has nothing to show).

import type { Registry, ResourceType } from "./discovery.js";
import type { Obj } from "./util.js";

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export function openapiRoot(registry: Registry): Obj {
  const paths: Obj = { [gvPath("", "v1")]: { serverRelativeURL: "/openapi/v3/api/v1?hash=sim" } };
  for (const g of registry.groupList().groups as Obj[]) {
    for (const v of g.versions as Obj[]) paths[gvPath(g.name, v.version)] = { serverRelativeURL: `/openapi/v3/${gvPath(g.name, v.version)}?hash=sim` };
  }
  return { paths };
}

const q = (name: string, type = "string") => ({ name, in: "query", schema: { type, uniqueItems: true } });
const p = (name: string) => ({ name, in: "path", required: true, schema: { type: "string", uniqueItems: true } });

function item(rt: ResourceType, one: boolean): Obj {
  const gvk = { group: rt.group, version: rt.version, kind: rt.kind };
  const op = (action: string, params: Obj[]) => ({ parameters: params, responses: { "200": { description: "OK" } }, "x-kubernetes-action": action, "x-kubernetes-group-version-kind": gvk });
  const write = [q("dryRun"), q("fieldManager"), q("fieldValidation")];
  const out: Obj = { parameters: [...(one ? [p("name")] : []), ...(rt.namespaced ? [p("namespace")] : []), q("pretty")] };
  if (one) {
    out.get = op("get", []);
    out.put = op("put", write);
    out.patch = op("patch", [...write, q("force", "boolean")]);
    out.delete = op("delete", [q("dryRun"), q("propagationPolicy")]);
  } else {
    out.get = op("list", [q("labelSelector"), q("fieldSelector"), q("limit", "integer"), q("continue"), q("watch", "boolean")]);
    out.post = op("post", write);
  }
  return out;
}

export function openapiGroupVersion(registry: Registry, group: string, version: string, types: ResourceType[]): Obj | undefined {
  if (!registry.hasGroupVersion(group, version)) return undefined;
  const base = "/" + gvPath(group, version);
  const paths: Obj = {};
  for (const rt of types) {
    const list = rt.namespaced ? `${base}/namespaces/{namespace}/${rt.plural}` : `${base}/${rt.plural}`;
    paths[list] = item(rt, false);
    paths[`${list}/{name}`] = item(rt, true);
    if (rt.status) paths[`${list}/{name}/status`] = item(rt, true);
  }
  return { openapi: "3.0.0", info: { title: "Kubernetes", version: "v1.32.0" }, paths, components: { schemas: {} } };
}
