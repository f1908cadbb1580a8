// Machine-readable plan for CI (`converge diff --output json`). The shape is a
// public contract: add fields, never rename them.
import type { Plan, PlanChange, SecretKeyChange } from "../diff/plan.js";

interface JsonChange {
  action: PlanChange["action"];
  apiVersion: string;
  kind: string;
  namespace: string | null;
  name: string;
  diff: string;
  secretKeys?: SecretKeyChange[];
}

function toJsonChange(change: PlanChange): JsonChange {
  const out: JsonChange = {
    action: change.action,
    apiVersion: change.apiVersion,
    kind: change.id.kind,
    namespace: change.id.namespace ?? null,
    name: change.id.name,
    diff: change.diff,
  };
  if (change.secretKeys?.length) out.secretKeys = change.secretKeys;
  return out;
}

/** Unchanged objects are counted in the summary, not listed. */
export function renderJson(plan: Plan): string {
  const { create, update, delete: del, unchanged } = plan.summary;
  return JSON.stringify(
    {
      environment: plan.environment,
      summary: { create, update, delete: del, unchanged },
      changes: plan.changes.filter((c) => c.action !== "unchanged").map(toJsonChange),
      errors: plan.errors,
      clientSideFallback: plan.clientSideFallback,
    },
    null,
    2,
  );
}
