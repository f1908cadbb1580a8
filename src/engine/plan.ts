// planEnvironment: what would change in the cluster if this checkout were
// applied? A pipeline, each step named:
//   render      manifests at the revision (plain YAML or kustomize)
//   resolve     every kind to its REST resource (discovery, cached)
//   inventory   the ApplySet parent and its members (prune candidates)
//   read        live state of the desired objects (batched)
//   dry-run     server-side apply with dryRun=All, Strict validation
//   diff        pure buildPlan over desired / predicted / live / inventory
// The deploy applies exactly `objects` from the returned value.
import { buildPlan, redactText, secretValues } from "../diff/index.js";
import type { EnvironmentConfig } from "../config/types.js";
import type { Plan, PlanError } from "../diff/plan.js";
import { loadManifests } from "../manifests/index.js";
import { idKey, idOf, type DesiredObject, type KubeObject, type ObjectId } from "../manifests/object.js";
import { applySetId, parentRef, parseGroupKind, parseParent, stampObject, type InventoryState, type ParentRef } from "../inventory/applyset.js";
import type { KubeClient } from "../cluster/client.js";
import { sharedDiscovery, type Discovery, type ResourceInfo } from "../cluster/discovery.js";
import { KubeApiError, isSchemaError } from "../cluster/errors.js";
import { listMembers, readLive } from "../cluster/read.js";
import { readInventory } from "../cluster/inventory.js";
import { serverSideApply } from "../cluster/apply.js";
import { mapBounded } from "../util/pool.js";

export interface PlanRequest {
  env: EnvironmentConfig;
  root: string; // checkout on disk
  repository: string; // owner/name
  revision?: string;
  client: KubeClient;
  discovery?: Discovery;
  concurrency?: number;
  /**
   * Is this repository allowed to touch these namespaces (and cluster-scoped
   * objects) on this cluster? Returns the refusal reason, or undefined. Runs
   * after rendering and before any read of the cluster.
   */
  authorize?: (namespaces: string[], clusterScoped: boolean) => string | undefined;
}

export interface PlannedObject {
  desired: DesiredObject; // stamped, as it will be sent
  resource?: ResourceInfo; // undefined when its CRD is created by this same plan
}

export interface PlannedEnvironment {
  plan: Plan;
  objects: PlannedObject[];
  parent: ParentRef;
  inventory: InventoryState;
  live: Map<string, KubeObject>;
  /** Members found live (the universe of prune candidates). */
  members: KubeObject[];
  discovery: Discovery;
  /** Repository paths the manifests came from (for "does this commit touch the environment?"). */
  inputs: string[];
}

export async function planEnvironment(req: PlanRequest): Promise<PlannedEnvironment> {
  const { env, client } = req;
  const discovery = req.discovery ?? sharedDiscovery(client);
  const concurrency = req.concurrency ?? 16;
  const errors: PlanError[] = [];
  const parent = parentRef(req.repository, env.name, env.namespace);
  const stamp = { applySetId: applySetId(parent), revision: req.revision, repository: req.repository };

  // render
  const loaded = await loadManifests({ root: req.root, path: env.path, defaultNamespace: env.namespace });
  for (const e of loaded.errors) errors.push({ reason: e.reason, message: e.message, file: e.file, line: e.line });

  // resolve
  const crdKinds = kindsDefinedByCrds(loaded.objects);
  const objects: PlannedObject[] = [];
  for (const d of loaded.objects) {
    let resource = await discovery.resource(d.object.apiVersion, d.object.kind);
    if (!resource && !crdKinds.has(`${d.object.apiVersion}/${d.object.kind}`)) {
      // Unknown to a cached discovery: maybe a CRD installed since. Ask once more.
      discovery.invalidate(d.object.apiVersion);
      resource = await discovery.resource(d.object.apiVersion, d.object.kind);
    }
    if (!resource && !crdKinds.has(`${d.object.apiVersion}/${d.object.kind}`)) {
      errors.push({ reason: "UnknownKind", file: d.source.file, line: d.source.line, id: idOf(d.object), message: `the cluster does not serve kind ${d.object.kind} in ${d.object.apiVersion}` });
      continue;
    }
    const object = fixNamespace(d.object, resource, env.namespace);
    objects.push({ desired: { object: stampObject(object, stamp), source: d.source }, resource });
  }

  // authorize: nothing is read from (or sent to) a cluster the repository may not use
  // A Namespace object is a way into that namespace although it is cluster-scoped.
  const touched = objects.map((o) => (o.desired.object.kind === "Namespace" && o.desired.object.apiVersion === "v1" ? o.desired.object.metadata.name : o.desired.object.metadata.namespace));
  const refusal = req.authorize?.(
    [...new Set([...touched, parent.namespace].filter((n): n is string => !!n))], // the inventory parent lives in parent.namespace
    objects.some((o) => !o.desired.object.metadata.namespace),
  );
  if (refusal) {
    errors.push({ reason: "ClusterNotAllowed", message: refusal });
    const plan = buildPlan({ environment: env.name, revision: req.revision, desired: [], predicted: new Map(), live: new Map(), inventory: [], prune: false, ignore: [], errors, clientSideFallback: false });
    return { plan, objects: [], parent, inventory: parseParent(undefined, parent), live: new Map(), members: [], discovery, inputs: loaded.inputs };
  }

  // inventory
  const inventory = await readInventory(client, parent);
  const members = await listMembers(client, discovery, inventory.id, inventory.groupKinds.map(parseGroupKind), inventory.namespaces, concurrency);
  const known = new Map(members.map((m) => [idKey(idOf(m)), m] as const));

  // read
  const targets = objects.filter((o) => o.resource).map((o) => ({ id: idOf(o.desired.object), resource: o.resource! }));
  const live = await readLive(client, targets, known, { concurrency });

  // dry-run
  const predicted = new Map<string, KubeObject>();
  const creatingNamespaces = new Set(objects.filter((o) => o.desired.object.kind === "Namespace").map((o) => o.desired.object.metadata.name));
  let clientSideFallback = false;
  await mapBounded(objects, concurrency, async (o) => {
    const key = idKey(idOf(o.desired.object));
    if (!o.resource || clientSideFallback) return void predicted.set(key, o.desired.object);
    try {
      predicted.set(key, await serverSideApply(client, o.resource, o.desired.object, { dryRun: true, force: env.forceConflicts }));
    } catch (err) {
      const outcome = classifyDryRunError(err, o, creatingNamespaces);
      if (outcome === "fallback-one") return void predicted.set(key, o.desired.object);
      if (outcome === "fallback-all") {
        clientSideFallback = true;
        return void predicted.set(key, o.desired.object);
      }
      errors.push(outcome);
    }
  });
  if (clientSideFallback) for (const o of objects) predicted.set(idKey(idOf(o.desired.object)), o.desired.object);

  // diff
  const plan = buildPlan({
    environment: env.name,
    revision: req.revision,
    desired: objects.map((o) => o.desired),
    predicted,
    live,
    inventory: members.map(idOf),
    prune: env.prune,
    ignore: env.ignoreDifferences,
    errors,
    clientSideFallback,
  });
  return { plan, objects, parent, inventory, live, members, discovery, inputs: loaded.inputs };
}

/** apiVersion/kind pairs that a desired CRD will make servable. */
function kindsDefinedByCrds(objects: DesiredObject[]): Set<string> {
  const out = new Set<string>();
  for (const { object } of objects) {
    if (object.kind !== "CustomResourceDefinition") continue;
    const spec = object.spec as { group?: string; names?: { kind?: string }; versions?: Array<{ name?: string }> } | undefined;
    for (const v of spec?.versions ?? []) if (spec?.group && spec.names?.kind && v.name) out.add(`${spec.group}/${v.name}/${spec.names.kind}`);
  }
  return out;
}

function fixNamespace(obj: KubeObject, r: ResourceInfo | undefined, defaultNamespace: string | undefined): KubeObject {
  if (!r) return obj;
  if (r.namespaced && !obj.metadata.namespace) return { ...obj, metadata: { ...obj.metadata, namespace: defaultNamespace || "default" } };
  if (!r.namespaced && obj.metadata.namespace) {
    const { namespace: _drop, ...metadata } = obj.metadata;
    return { ...obj, metadata: metadata as KubeObject["metadata"] };
  }
  return obj;
}

/**
 * What a failed dry-run means for the plan: the server cannot dry-run at all
 * (forbidden: fall back to a client-side comparison, and say so), the object's
 * namespace is created by this same plan (predict it client-side), or a real
 * error the user must fix (strict validation, conflict, admission denial).
 */
function classifyDryRunError(err: unknown, o: PlannedObject, creatingNamespaces: Set<string>): PlanError | "fallback-one" | "fallback-all" {
  const d = o.desired;
  const id: ObjectId = idOf(d.object);
  if (!(err instanceof KubeApiError)) {
    return { reason: "ClusterUnreachable", file: d.source.file, line: d.source.line, id, message: (err as Error).message };
  }
  if (err.status === 404 && id.namespace && creatingNamespaces.has(id.namespace)) return "fallback-one";
  if (err.status === 403 || err.status === 405) return "fallback-all";
  // The server may echo field values; a Secret's values must not reach a comment.
  const message = d.object.kind === "Secret" ? redactText(err.message, secretValues(d.object)) : err.message;
  const fields = err.causes.map((c) => c.field).filter(Boolean);
  const reason = err.status === 400 || err.status === 422 || isSchemaError(err) ? "ValidationFailed" : "DryRunFailed";
  const detail = fields.length && !message.includes(fields[0]!) ? ` (${fields.join(", ")})` : "";
  return { reason, file: d.source.file, line: d.source.line, id, message: `${message}${detail}` };
}
