// Reads live objects with few requests: the ApplySet members with one
// label-selected LIST per (group-kind, namespace); any desired object not
// found among them with a GET, or with one LIST when a bucket holds many.
import type { KubeClient } from "./client.js";
import { collectionPath, objectPath, type Discovery, type ResourceInfo } from "./discovery.js";
import { isNotFound } from "./errors.js";
import { idKey, type KubeObject, type ObjectId } from "../manifests/object.js";
import { mapBounded } from "../util/pool.js";

interface ListBody {
  metadata?: { continue?: string; resourceVersion?: string };
  items?: KubeObject[];
}

export interface ReadTarget {
  id: ObjectId;
  resource: ResourceInfo;
}

export interface ReadOptions {
  concurrency?: number;
  /** A bucket (resource, namespace) with at least this many objects to find is LISTed instead of GET per object. */
  listThreshold?: number;
}

/** LIST a collection (all pages), filling in apiVersion/kind that list items omit. */
export async function listAll(client: KubeClient, r: ResourceInfo, namespace: string | undefined, labelSelector?: string): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
  let cont: string | undefined;
  do {
    const body = await client.request<ListBody>("GET", collectionPath(r, namespace), {
      query: { labelSelector, limit: 500, continue: cont },
    });
    for (const item of body.items ?? []) out.push({ ...item, apiVersion, kind: r.kind });
    cont = body.metadata?.continue || undefined;
  } while (cont);
  return out;
}

export async function getObject(client: KubeClient, r: ResourceInfo, name: string, namespace?: string): Promise<KubeObject | undefined> {
  try {
    const obj = await client.request<KubeObject>("GET", objectPath(r, name, namespace));
    return { ...obj, apiVersion: r.group ? `${r.group}/${r.version}` : r.version, kind: r.kind };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** ApplySet members: objects labelled part-of=id, in the group-kinds and namespaces the parent lists. */
export async function listMembers(
  client: KubeClient,
  discovery: Discovery,
  applySetId: string,
  groupKinds: Array<{ group: string; kind: string }>,
  namespaces: string[],
  concurrency = 8,
): Promise<KubeObject[]> {
  const selector = `applyset.kubernetes.io/part-of=${applySetId}`;
  const jobs: Array<{ r: ResourceInfo; ns?: string }> = [];
  for (const gk of groupKinds) {
    const r = await discovery.resourceForGroupKind(gk.group, gk.kind);
    if (!r) continue; // kind no longer served (CRD removed): nothing of it can be listed or pruned
    if (r.namespaced) for (const ns of namespaces) jobs.push({ r, ns });
    else jobs.push({ r });
  }
  const lists = await mapBounded(jobs, concurrency, async ({ r, ns }) => {
    try {
      return await listAll(client, r, ns, selector);
    } catch (err) {
      if (isNotFound(err)) return []; // namespace gone
      throw err;
    }
  });
  return lists.flat();
}

/** Live state for targets, skipping those already known (e.g. found among the members). */
export async function readLive(client: KubeClient, targets: ReadTarget[], known: Map<string, KubeObject>, opts: ReadOptions = {}): Promise<Map<string, KubeObject>> {
  const live = new Map(known);
  const threshold = opts.listThreshold ?? 4;
  const buckets = new Map<string, { r: ResourceInfo; ns?: string; ids: ObjectId[] }>();
  for (const t of targets) {
    const key = idKey(t.id);
    if (live.has(key)) continue;
    const ns = t.resource.namespaced ? t.id.namespace : undefined;
    const bk = `${t.resource.group}/${t.resource.plural}/${ns ?? ""}`;
    let b = buckets.get(bk);
    if (!b) buckets.set(bk, (b = { r: t.resource, ns, ids: [] }));
    b.ids.push(t.id);
  }
  const lists: Array<{ r: ResourceInfo; ns?: string; ids: ObjectId[] }> = [];
  const gets: Array<{ r: ResourceInfo; id: ObjectId }> = [];
  for (const b of buckets.values()) {
    if (b.ids.length >= threshold) lists.push(b);
    else for (const id of b.ids) gets.push({ r: b.r, id });
  }
  const concurrency = opts.concurrency ?? 16;
  await mapBounded(lists, concurrency, async (b) => {
    let items: KubeObject[];
    try {
      items = await listAll(client, b.r, b.ns);
    } catch (err) {
      if (isNotFound(err)) return; // namespace does not exist yet: nothing in it is live
      throw err;
    }
    const wanted = new Set(b.ids.map(idKey));
    for (const item of items) {
      const key = idKey({ group: b.r.group, kind: b.r.kind, namespace: b.r.namespaced ? item.metadata.namespace : undefined, name: item.metadata.name });
      if (wanted.has(key)) live.set(key, item);
    }
  });
  await mapBounded(gets, concurrency, async ({ r, id }) => {
    const obj = await getObject(client, r, id.name, r.namespaced ? id.namespace : undefined);
    if (obj) live.set(idKey(id), obj);
  });
  return live;
}
