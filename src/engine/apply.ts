// applyPlanned: make the cluster match a plan, in dependency order, keeping
// the ApplySet inventory truthful at every moment a crash could happen.
//   1. inventory (widen)   parent lists old ∪ new group-kinds/namespaces, so a
//                          crash mid-apply never orphans a member
//   2. stage crds+ns       CRDs and Namespaces; wait until CRDs are Established
//   3. stage cluster-rbac  ClusterRoles / ClusterRoleBindings
//   4. stage rest          everything else, bounded concurrency
//   5. prune               members Git no longer has (only when enabled, only if
//                          every apply succeeded), workloads before namespaces
//   6. inventory (narrow)  parent lists exactly the members now
// Every failure is kept with the server's message; nothing is reported as
// applied that the server did not accept.
import type { KubeClient } from "../cluster/client.js";
import { serverSideApply } from "../cluster/apply.js";
import { deleteObject } from "../cluster/delete.js";
import { getObject } from "../cluster/read.js";
import { KubeApiError } from "../cluster/errors.js";
import type { Discovery, ResourceInfo } from "../cluster/discovery.js";
import { buildParent, ANN_REVISION, ANN_RESULT, ANN_APPLIED_AT, ANN_REPOSITORY, ANN_ENVIRONMENT, ANN_FAILED_REVISION, ANN_INPUTS, type ParentRef } from "../inventory/applyset.js";
import { describeId, idKey, idOf, type KubeObject, type ObjectId } from "../manifests/object.js";
import { kindOrder } from "../manifests/order.js";
import { redactText, secretValues } from "../diff/index.js";
import { mapBounded } from "../util/pool.js";
import type { PlannedEnvironment, PlannedObject } from "./plan.js";

export interface ApplyOptions {
  force: boolean;
  prune: boolean;
  concurrency?: number;
  repository: string;
  environment: string;
  revision?: string;
  /** How long to wait for a new CRD to be Established. */
  crdTimeoutMs?: number;
  /** Called after each object is applied (tests use it to crash at random points). */
  onApplied?: (id: ObjectId) => void;
}

export interface ApplyFailure {
  id: ObjectId;
  message: string;
  reason: string;
}

export interface ApplyResult {
  applied: KubeObject[]; // as the server returned them
  failed: ApplyFailure[];
  notAttempted: ObjectId[]; // later stages skipped after a failure
  pruned: ObjectId[];
  pruneFailed: ApplyFailure[];
}

type Stage = "crds-namespaces" | "cluster-rbac" | "rest";

export function stageOf(kind: string): Stage {
  if (kind === "CustomResourceDefinition" || kind === "Namespace") return "crds-namespaces";
  if (kind === "ClusterRole" || kind === "ClusterRoleBinding") return "cluster-rbac";
  return "rest";
}

export async function applyPlanned(client: KubeClient, planned: PlannedEnvironment, opts: ApplyOptions): Promise<ApplyResult> {
  const { discovery, parent } = planned;
  const concurrency = opts.concurrency ?? 16;
  const result: ApplyResult = { applied: [], failed: [], notAttempted: [], pruned: [], pruneFailed: [] };
  const desiredIds = planned.objects.map((o) => idOf(o.desired.object));
  const memberIds = planned.members.map(idOf);
  const stampAnn = { [ANN_REPOSITORY]: opts.repository, [ANN_ENVIRONMENT]: opts.environment };

  // 1. inventory (widen). The parent lives in the environment's namespace; when
  //    this plan creates that namespace, apply it first so the parent can exist.
  const parentNs = planned.objects.find((o) => o.desired.object.kind === "Namespace" && o.desired.object.metadata.name === parent.namespace);
  if (parentNs) await applyOne(client, discovery, parentNs, opts, result);
  if (!result.failed.length) {
    try {
      await writeParent(client, discovery, parent, [...desiredIds, ...memberIds], { ...stampAnn, ...previousOutcome(planned), [ANN_RESULT]: "in-progress" });
    } catch (err) {
      // No widened inventory, no apply: a crash could orphan new members. Reported like any apply failure.
      const id: ObjectId = { group: "", kind: "ConfigMap", namespace: parent.namespace, name: parent.name };
      result.failed.push({ id, reason: err instanceof KubeApiError ? err.reason : "Error", message: `${describeId(id)} (inventory): ${(err as Error).message}` });
      result.notAttempted.push(...planned.objects.filter((o) => o !== parentNs).map((o) => idOf(o.desired.object)));
      return result;
    }
  }

  // 2–4. stages
  const stages: Stage[] = ["crds-namespaces", "cluster-rbac", "rest"];
  for (const stage of stages) {
    const batch = planned.objects.filter((o) => o !== parentNs && stageOf(o.desired.object.kind) === stage);
    if (result.failed.length) {
      result.notAttempted.push(...batch.map((o) => idOf(o.desired.object)));
      continue;
    }
    await mapBounded(batch, concurrency, (o) => applyOne(client, discovery, o, opts, result));
    if (stage === "crds-namespaces") await waitForCrds(client, discovery, result, opts.crdTimeoutMs ?? 60_000);
  }

  // 5. prune
  const keep = new Set(desiredIds.map(idKey));
  if (opts.prune && !result.failed.length) {
    const gone = planned.members.filter((m) => !keep.has(idKey(idOf(m)))).sort((a, b) => kindOrder(b.kind) - kindOrder(a.kind));
    for (const m of gone) {
      const id = idOf(m);
      try {
        const r = await discovery.resource(m.apiVersion, m.kind);
        if (r) await deleteObject(client, r, id);
        result.pruned.push(id);
      } catch (err) {
        result.pruneFailed.push({ id, reason: (err as KubeApiError).reason ?? "Error", message: (err as Error).message });
      }
    }
  }

  // 6. inventory (narrow): members still live are those kept plus prunes that failed (or were skipped)
  const prunedKeys = new Set(result.pruned.map(idKey));
  const remaining = [...desiredIds, ...memberIds.filter((m) => !keep.has(idKey(m)) && !prunedKeys.has(idKey(m)))];
  if (parentNs && result.failed.some((f) => idKey(f.id) === idKey(idOf(parentNs.desired.object)))) return result; // no namespace, no parent
  await writeParent(client, discovery, parent, remaining, { ...stampAnn, ...previousOutcome(planned), [ANN_RESULT]: result.failed.length ? "partial" : "applied" });
  return result;
}

async function applyOne(client: KubeClient, discovery: Discovery, o: PlannedObject, opts: ApplyOptions, result: ApplyResult): Promise<void> {
  const obj = o.desired.object;
  const id = idOf(obj);
  try {
    const r = o.resource ?? (await discovery.resource(obj.apiVersion, obj.kind));
    if (!r) throw new KubeApiError(404, "NotFound", `the cluster does not serve kind ${obj.kind} in ${obj.apiVersion}`);
    result.applied.push(await serverSideApply(client, r, obj, { force: opts.force }));
    opts.onApplied?.(id);
  } catch (err) {
    const message = obj.kind === "Secret" ? redactText((err as Error).message, secretValues(obj)) : (err as Error).message;
    result.failed.push({ id, reason: err instanceof KubeApiError ? err.reason : "Error", message: `${describeId(id)}: ${message}` });
  }
}

/** After CRDs are applied, wait for Established and forget cached discovery so their kinds resolve. */
async function waitForCrds(client: KubeClient, discovery: Discovery, result: ApplyResult, timeoutMs: number): Promise<void> {
  const crds = result.applied.filter((o) => o.kind === "CustomResourceDefinition");
  if (!crds.length) return;
  const r = await discovery.resource("apiextensions.k8s.io/v1", "CustomResourceDefinition");
  const deadline = Date.now() + timeoutMs;
  for (const crd of crds) {
    for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
      const live = r ? await getObject(client, r, crd.metadata.name) : undefined;
      const conditions = ((live?.status as { conditions?: Array<{ type: string; status: string }> })?.conditions ?? []);
      if (conditions.some((c) => c.type === "Established" && c.status === "True")) break;
      if (Date.now() > deadline) {
        result.failed.push({ id: idOf(crd), reason: "CRDNotEstablished", message: `${describeId(idOf(crd))}: not Established after ${Math.round(timeoutMs / 1000)} s` });
        break;
      }
      await new Promise((res) => setTimeout(res, delay));
    }
    const spec = crd.spec as { group?: string; versions?: Array<{ name: string }> };
    for (const v of spec.versions ?? []) discovery.invalidate(`${spec.group}/${v.name}`);
  }
}

/** Keep what the parent says about earlier deploys (the last applied and last failed revisions). */
function previousOutcome(planned: PlannedEnvironment): Record<string, string> {
  const out: Record<string, string> = {};
  if (planned.inventory.revision) out[ANN_REVISION] = planned.inventory.revision;
  if (planned.inventory.failedRevision) out[ANN_FAILED_REVISION] = planned.inventory.failedRevision;
  if (planned.inventory.appliedAt) out[ANN_APPLIED_AT] = planned.inventory.appliedAt;
  if (planned.inventory.inputs.length) out[ANN_INPUTS] = planned.inventory.inputs.join(",");
  return out;
}

export async function writeParent(client: KubeClient, discovery: Discovery, parent: ParentRef, members: ObjectId[], annotations: Record<string, string>): Promise<void> {
  const r = (await discovery.resource("v1", "ConfigMap")) as ResourceInfo;
  await serverSideApply(client, r, buildParent(parent, members, annotations), { force: true });
}
