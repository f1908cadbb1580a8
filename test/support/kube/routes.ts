// Path resolution: discovery documents, health/version endpoints, and the
// resource paths /api/v1/... and /apis/{group}/{version}/...:
//   [namespaces/{ns}/]{plural}[/{name}[/status]], plus the deprecated /watch/ prefix.
// Simplification: any path the server does not serve gets a NotFound Status (the
// real server answers plain "404 page not found" for groups it does not know).

import type { Registry, ResourceType } from "./discovery.js";
import { openapiGroupVersion, openapiRoot } from "./openapi.js";
import { noRoute } from "./status.js";
import type { Obj } from "./util.js";

const VERSION = { major: "1", minor: "32", gitVersion: "v1.32.0", gitCommit: "kube-sim", gitTreeState: "clean", buildDate: "2024-12-11T00:00:00Z", goVersion: "go1.23.3", compiler: "gc", platform: "linux/amd64" };

export type Route =
  | { t: "text"; text: string }
  | { t: "doc"; body: unknown }
  | { t: "resource"; rt: ResourceType; ns: string; name?: string; sub?: "status"; watch: boolean };

export function resolvePath(registry: Registry, seg: string[], query: Record<string, string>): Route {
  if (seg.length === 0) return { t: "doc", body: { paths: ["/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v3", "/readyz", "/version"] } };
  if (seg.length === 1 && ["healthz", "livez", "readyz"].includes(seg[0])) return { t: "text", text: "ok" };
  if (seg.length === 1 && seg[0] === "version") return { t: "doc", body: VERSION };
  if (seg[0] === "openapi" && seg[1] === "v3") {
    if (seg.length === 2) return { t: "doc", body: openapiRoot(registry) };
    const [group, version] = seg[2] === "api" ? ["", seg[3] ?? ""] : [seg[3] ?? "", seg[4] ?? ""];
    const doc = openapiGroupVersion(registry, group, version, registry.typesIn(group, version));
    if (doc) return { t: "doc", body: doc };
    throw noRoute();
  }
  let group: string;
  let version: string;
  let rest: string[];
  if (seg[0] === "api") {
    if (seg.length === 1) return { t: "doc", body: registry.apiVersions() };
    [group, version, rest] = ["", seg[1], seg.slice(2)];
    if (version !== "v1") throw noRoute();
  } else if (seg[0] === "apis") {
    if (seg.length === 1) return { t: "doc", body: registry.groupList() };
    if (seg.length === 2) {
      const g = registry.groupList().groups.find((x: Obj) => x.name === seg[1]);
      if (!g) throw noRoute();
      return { t: "doc", body: { kind: "APIGroup", apiVersion: "v1", ...g } };
    }
    [group, version, rest] = [seg[1], seg[2], seg.slice(3)];
  } else throw noRoute();

  if (rest.length === 0) {
    const list = registry.resourceList(group, version);
    if (!list) throw noRoute();
    return { t: "doc", body: list };
  }
  let watch = query.watch === "1" || query.watch === "true";
  if (rest[0] === "watch") [watch, rest] = [true, rest.slice(1)];

  let ns = "";
  let plural: string;
  let name: string | undefined;
  let sub: string | undefined;
  const nsSub = !group && rest[0] === "namespaces" && rest.length === 3 && (rest[2] === "status" || rest[2] === "finalize");
  if (rest[0] === "namespaces" && rest.length >= 3 && !nsSub) {
    if (rest.length > 5) throw noRoute();
    [ns, plural, name, sub] = [rest[1], rest[2], rest[3], rest[4]];
  } else {
    if (rest.length > 3) throw noRoute();
    [plural, name, sub] = [rest[0], rest[1], rest[2]];
  }
  const rt = registry.lookup(group, version, plural);
  if (!rt || (ns && !rt.namespaced) || (!ns && name !== undefined && rt.namespaced)) throw noRoute();
  if (sub !== undefined && (sub !== "status" || !rt.status)) throw noRoute();
  return { t: "resource", rt, ns, ...(name !== undefined ? { name } : {}), ...(sub ? { sub: "status" as const } : {}), watch };
}
