// Maps apiVersion+kind to the REST resource (plural, namespaced) the way
// kubectl's RESTMapper does, with one discovery GET per group/version, cached
// for the life of the Discovery object (one plan or deploy).
import type { KubeClient } from "./client.js";
import { isNotFound } from "./errors.js";
import { groupOf, versionOf, type KubeObject } from "../manifests/object.js";

export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  verbs: string[];
}

interface APIResourceList {
  resources?: Array<{ name: string; kind: string; namespaced: boolean; verbs?: string[] }>;
}

export class Discovery {
  private readonly lists = new Map<string, Promise<Map<string, ResourceInfo>>>();

  constructor(private readonly client: KubeClient) {}

  /** Resource for apiVersion+kind; undefined when the server does not serve it. */
  async resource(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    const kinds = await this.groupVersion(apiVersion);
    return kinds.get(kind);
  }

  /** Resource for a group-kind at the group's preferred version (ApplySet annotations carry no version). */
  async resourceForGroupKind(group: string, kind: string): Promise<ResourceInfo | undefined> {
    if (!group) return this.resource("v1", kind);
    const preferred = (await this.preferredVersions()).get(group);
    return preferred ? this.resource(`${group}/${preferred}`, kind) : undefined;
  }

  private groups?: Promise<Map<string, string>>;

  private preferredVersions(): Promise<Map<string, string>> {
    if (!this.groups) {
      this.groups = this.client
        .request<{ groups?: Array<{ name: string; preferredVersion?: { version: string }; versions?: Array<{ version: string }> }> }>("GET", "/apis")
        .then((body) => new Map((body.groups ?? []).map((g) => [g.name, g.preferredVersion?.version ?? g.versions?.[0]?.version ?? "v1"])));
      this.groups.catch(() => (this.groups = undefined));
    }
    return this.groups;
  }

  /** Forget a group/version (after a CRD was applied, its kinds become servable). */
  invalidate(apiVersion?: string): void {
    if (apiVersion) this.lists.delete(apiVersion);
    else this.lists.clear();
    this.groups = undefined;
  }

  private groupVersion(apiVersion: string): Promise<Map<string, ResourceInfo>> {
    let cached = this.lists.get(apiVersion);
    if (!cached) {
      cached = this.fetch(apiVersion);
      this.lists.set(apiVersion, cached);
      // A failed discovery must not poison the cache for the next caller.
      cached.catch(() => this.lists.delete(apiVersion));
    }
    return cached;
  }

  private async fetch(apiVersion: string): Promise<Map<string, ResourceInfo>> {
    const group = groupOf(apiVersion);
    const version = versionOf(apiVersion);
    const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
    const out = new Map<string, ResourceInfo>();
    let list: APIResourceList;
    try {
      list = await this.client.request<APIResourceList>("GET", path);
    } catch (err) {
      if (isNotFound(err)) return out; // group/version not served: every kind in it is unknown
      throw err;
    }
    for (const r of list.resources ?? []) {
      if (r.name.includes("/")) continue; // subresources such as deployments/status
      out.set(r.kind, { group, version, kind: r.kind, plural: r.name, namespaced: r.namespaced, verbs: r.verbs ?? [] });
    }
    return out;
  }
}

const shared = new WeakMap<KubeClient, { discovery: Discovery; at: number }>();

/**
 * One Discovery per cluster client, reused for `ttlMs` (API groups change
 * rarely; a kind not found is looked up again by the caller after
 * `invalidate`). Saves the discovery GETs of every plan, deploy and walk.
 */
export function sharedDiscovery(client: KubeClient, ttlMs = 5 * 60_000, now = Date.now()): Discovery {
  const hit = shared.get(client);
  if (hit && now - hit.at < ttlMs) return hit.discovery;
  const discovery = new Discovery(client);
  shared.set(client, { discovery, at: now });
  return discovery;
}

/** REST path of a collection (namespace undefined = cluster-wide / cluster-scoped). */
export function collectionPath(r: ResourceInfo, namespace?: string): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  return r.namespaced && namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${r.plural}` : `${base}/${r.plural}`;
}

export function objectPath(r: ResourceInfo, name: string, namespace?: string): string {
  return `${collectionPath(r, namespace)}/${encodeURIComponent(name)}`;
}

export function pathOf(r: ResourceInfo, obj: KubeObject): string {
  return objectPath(r, obj.metadata.name, r.namespaced ? obj.metadata.namespace : undefined);
}
