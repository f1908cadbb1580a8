// A plan that carries only errors: how config problems, refused clusters and
// unreachable clusters reach the same comment and checks as real diffs.
import type { Plan, PlanErrorReason } from "../diff/plan.js";

export function errorPlan(environment: string, reason: PlanErrorReason, errors: Array<{ message: string; file?: string; line?: number }>): Plan {
  return {
    environment,
    summary: { create: 0, update: 0, delete: 0, unchanged: 0 },
    changes: [],
    errors: errors.map((e) => ({ reason, ...e })),
    clientSideFallback: false,
  };
}
