import type { Plan, PlanSummary } from "./plan.js";

/** "2 to create, 1 to update, 1 to delete"; "no changes". Unchanged objects are not news. */
export function describeSummary(summary: PlanSummary): string {
  const parts: string[] = [];
  if (summary.create) parts.push(`${summary.create} to create`);
  if (summary.update) parts.push(`${summary.update} to update`);
  if (summary.delete) parts.push(`${summary.delete} to delete`);
  return parts.length ? parts.join(", ") : "no changes";
}

export function hasChanges(plan: Plan): boolean {
  return plan.summary.create + plan.summary.update + plan.summary.delete > 0;
}
