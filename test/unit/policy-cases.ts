// Inline builders for the approval-gate tests: one environment, one fresh
// clean preview, no reviews — each test changes only what its rule is about.
import { environmentDefaults } from "../../src/config/defaults.js";
import type { EnvironmentConfig } from "../../src/config/types.js";
import type { Plan, PlanChange } from "../../src/diff/plan.js";
import type { EnvironmentGateInput, GateInput, Review } from "../../src/policy/index.js";

export const HEAD = "abc1234567890abcdef1234567890abcdef12345";
export const OLD = "def5678901234567890abcdef1234567890abcde";

export function env(name = "production", over: Partial<EnvironmentConfig> = {}): EnvironmentConfig {
  return { ...environmentDefaults(), name, path: `deploy/${name}`, cluster: name, ...over };
}

export function plan(changes: PlanChange[] = [], errors: Plan["errors"] = []): Plan {
  const summary = { create: 0, update: 0, delete: 0, unchanged: 0 };
  for (const c of changes) summary[c.action]++;
  return { environment: "production", summary, changes, errors, clientSideFallback: false };
}

export function change(action: PlanChange["action"], kind: string, name: string, dangers: string[] = []): PlanChange {
  return { action, id: { group: kind === "Deployment" ? "apps" : "", kind, namespace: "shop", name }, apiVersion: "v1", diff: "", dangers };
}

export function review(user: string, state: Review["state"], commitId = HEAD, minute = 0): Review {
  return { user, state, commitId, submittedAt: new Date(Date.UTC(2025, 0, 1, 12, minute)).toISOString() };
}

export function envInput(over: Partial<EnvironmentGateInput> = {}): EnvironmentGateInput {
  return { env: env(), plan: plan(), previewSha: HEAD, images: [], liveObjectCount: 10, ...over };
}

export function gate(over: Partial<GateInput> = {}): GateInput {
  return { headSha: HEAD, author: "dev", reviews: [], labels: [], teamMembers: new Map(), isConvergeRevert: false, environments: [envInput()], ...over };
}
