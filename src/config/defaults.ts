// Every default of .github/converge.yml in one place, so docs/configuration.md,
// the validator and the tests agree. environmentDefaults() returns a fresh copy
// because the validated config is handed to callers who may keep it around.

import type { EnvironmentConfig } from "./types.js";

export const DEFAULT_CONFIG_FILE = ".github/converge.yml";

/** Larger files are rejected before parsing: a config is a few KiB, and the parser's cost grows with input. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Nesting deeper than this is never a real config; the YAML parser's recursion is the limit we guard. */
export const MAX_NESTING = 64;

/** Stop collecting after this many issues; the first ones are what the reader fixes first. */
export const MAX_ISSUES = 100;

export const MIN_DRIFT_INTERVAL = 60;
/** setTimeout holds at most ~24.8 days; a week keeps reconciliation meaningful and far from that edge. */
export const MAX_DRIFT_INTERVAL = 7 * 24 * 3600;
/** A rollout that takes longer than a day is stuck, and the deploy lock must not be held longer. */
export const MAX_VERIFY_TIMEOUT = 24 * 3600;

export type EnvironmentDefaults = Omit<EnvironmentConfig, "name" | "path" | "cluster" | "namespace">;

export function environmentDefaults(): EnvironmentDefaults {
  return {
    branch: "main",
    approvals: { required: 1, from: [] },
    prune: true,
    verify: { timeout: 300, restartThreshold: 3 },
    onFailure: "revert-pr",
    drift: { interval: 600, action: "report" },
    ignoreDifferences: [],
    dangerous: { label: "converge/allow-destructive", maxDeleteShare: 0.2, extraApprovals: 0 },
    images: { allowedTags: "^v?\\d+\\.\\d+\\.\\d+$", allowMutable: false },
    autoApproveReverts: true,
    forceConflicts: false,
  };
}

/** Registry defaults (operator side). */
export const CLUSTER_DEFAULTS = { allowClusterScoped: true } as const;
export const CLUSTERS_ENV_VAR = "CONVERGE_CLUSTERS";
