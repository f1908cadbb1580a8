// The pure heart: desired + predicted + live + inventory -> Plan. Everything
// that needs the cluster (dry-run, reads, inventory) is done by the caller.
import { describeId, idKey, idOf } from "../manifests/object.js";
import type { DesiredObject, KubeObject, ObjectId } from "../manifests/object.js";
import type { IgnoreRule } from "../config/types.js";
import type { Action, Plan, PlanChange, PlanError, PlanSummary } from "./plan.js";
import { normalizeObject } from "./normalize.js";
import { maskSecrets, secretKeyChanges } from "./mask.js";
import { applyIgnoreRules } from "./ignore.js";
import { projectOnto } from "./project.js";
import { toCanonicalYaml } from "./canonical.js";
import { unifiedDiff } from "./unified.js";
import { detectDangers } from "./dangers.js";
import { deepEqual } from "./equal.js";
import { kindOrder } from "../manifests/order.js";

export interface PlanInput {
  environment: string;
  revision?: string;
  desired: DesiredObject[]; // default namespace already applied
  predicted: Map<string, KubeObject>; // idKey -> server-side dry-run result (or the desired object itself when clientSideFallback)
  live: Map<string, KubeObject>; // idKey -> live object, only objects that exist
  inventory: ObjectId[]; // ApplySet members Converge applied before (the prune candidates' universe)
  prune: boolean;
  ignore: IgnoreRule[];
  errors: PlanError[]; // carried into the plan
  clientSideFallback: boolean;
}

/** Diff header label, named as in the header line: "Deployment/shop/web", "Namespace/shop". */
function labelOf(id: ObjectId): string {
  return describeId(id).replace(" ", "/");
}

function change(action: Action, id: ObjectId, apiVersion: string, live: KubeObject | undefined, predicted: KubeObject | undefined): PlanChange {
  const diff = action === "unchanged" ? "" : unifiedDiff(live ? toCanonicalYaml(live) : "", predicted ? toCanonicalYaml(predicted) : "", labelOf(id));
  const result: PlanChange = { action, id, apiVersion, diff, dangers: detectDangers(action, id, live, predicted) };
  const keys = action === "unchanged" ? [] : secretKeyChanges(live, predicted);
  if (keys.length) result.secretKeys = keys;
  return result;
}

function compare(input: PlanInput, id: ObjectId, apiVersion: string, predictedRaw: KubeObject): PlanChange {
  const liveRaw = input.live.get(idKey(id));
  if (!liveRaw) return change("create", id, apiVersion, undefined, maskSecrets(undefined, normalizeObject(predictedRaw)).predicted);
  // normalise -> mask -> ignore -> (fallback) project: each step removes a kind of noise.
  const masked = maskSecrets(normalizeObject(liveRaw), normalizeObject(predictedRaw));
  const predicted = applyIgnoreRules(input.ignore, id, masked.predicted!);
  let live = applyIgnoreRules(input.ignore, id, masked.live!);
  if (input.clientSideFallback) live = projectOnto(live, predicted);
  return change(deepEqual(live, predicted) ? "unchanged" : "update", id, apiVersion, live, predicted);
}

function byApplyOrder(a: PlanChange, b: PlanChange): number {
  const rank = kindOrder(a.id.kind) - kindOrder(b.id.kind);
  if (rank) return rank;
  const ka = idKey(a.id);
  const kb = idKey(b.id);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export function buildPlan(input: PlanInput): Plan {
  const applies: PlanChange[] = [];
  const desiredKeys = new Set<string>();
  for (const { object, source } of input.desired) {
    const id = idOf(object);
    const key = idKey(id);
    desiredKeys.add(key);
    const predicted = input.predicted.get(key);
    if (!predicted) continue; // dry-run failed: the error is already in input.errors
    applies.push({ ...compare(input, id, object.apiVersion, predicted), source });
  }

  // Prune only what Converge applied before (the inventory) and Git no longer has.
  const deletes: PlanChange[] = [];
  if (input.prune) {
    const seen = new Set<string>();
    for (const id of input.inventory) {
      const key = idKey(id);
      const live = input.live.get(key);
      if (desiredKeys.has(key) || seen.has(key) || !live) continue;
      seen.add(key);
      deletes.push(change("delete", id, live.apiVersion, maskSecrets(normalizeObject(live), undefined).live, undefined));
    }
  }

  applies.sort(byApplyOrder);
  deletes.sort(byApplyOrder).reverse(); // dependents go before what they depend on
  const changes = [...applies, ...deletes];
  const summary: PlanSummary = { create: 0, update: 0, delete: 0, unchanged: 0 };
  for (const c of changes) summary[c.action]++;
  const plan: Plan = { environment: input.environment, summary, changes, errors: [...input.errors], clientSideFallback: input.clientSideFallback };
  if (input.revision !== undefined) plan.revision = input.revision;
  return plan;
}
