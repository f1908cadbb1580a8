// The status page's model: one row per (repository, environment), built from
// where the facts already live — the cluster's inventory parent (what was
// applied, with what result) and GitHub (Deployments, revert PRs, drift
// issues). The derivations here are pure; collect.ts does the reading.
import type { InventoryState } from "../inventory/applyset.js";

export type HealthState = "healthy" | "failed" | "deploying" | "unknown";
export type DriftState = "in-sync" | "drifted" | "off" | "unknown";

export interface DeployRecord {
  sha: string;
  /** The newest status of the deployment (success, failure, in_progress, inactive, …). */
  state: string;
  description: string;
  trigger?: string;
  createdAt: string;
  updatedAt: string;
  /** From creation to the final status; absent while running. */
  durationMs?: number;
}

export interface Link {
  number: number;
  title: string;
  url: string;
}

export interface EnvironmentStatus {
  repository: string;
  repositoryUrl: string;
  environment: string;
  cluster: string;
  namespace: string;
  branch: string;
  /** What the cluster says is applied. */
  revision?: string;
  commitUrl?: string;
  /** The PR that brought `revision`, when one did. */
  pull?: Link;
  result?: string;
  appliedAt?: string;
  failedRevision?: string;
  health: { state: HealthState; text: string; reason?: string; detail?: string; since?: string };
  drift: { state: DriftState; text: string; since?: string; issue?: Link };
  deploys: DeployRecord[];
  deploymentsUrl: string;
  reverts: Link[];
  /** What could not be read for this row (cluster unreachable, …). */
  problems: string[];
}

export interface StatusModel {
  generatedAt: string;
  environments: EnvironmentStatus[];
  /** Repository-level problems (invalid .github/converge.yml, API errors). */
  problems: Array<{ repository: string; message: string }>;
}

const RUNNING = new Set(["in_progress", "queued", "pending"]);
const FAILED = new Set(["failure", "error"]);

/** Health now: the newest deployment that still means something, then the inventory's own record. */
export function deriveHealth(inventory: InventoryState | undefined, deploys: DeployRecord[]): EnvironmentStatus["health"] {
  // "inactive" marks superseded commits and successes replaced by a newer one: not news.
  const latest = deploys.find((d) => d.state !== "inactive");
  if (latest && RUNNING.has(latest.state)) return { state: "deploying", text: `Deploying ${latest.sha.slice(0, 7)}`, since: latest.createdAt };
  if (latest && FAILED.has(latest.state)) {
    const { reason, detail } = splitReason(latest.description);
    return { state: "failed", text: `Failed: ${reason}`, reason, detail, since: latest.updatedAt };
  }
  if (inventory?.result === "failed") {
    return { state: "failed", text: "Failed: last deploy failed", reason: "last deploy failed", detail: inventory.failedRevision ? `revision ${inventory.failedRevision.slice(0, 7)}` : undefined, since: inventory.appliedAt };
  }
  if (inventory?.result === "in-progress") return { state: "deploying", text: "Deploying", since: inventory.appliedAt };
  if (latest?.state === "success" || inventory?.result === "succeeded") return { state: "healthy", text: "Healthy", since: latest?.updatedAt ?? inventory?.appliedAt };
  if (!inventory?.revision && !latest) return { state: "unknown", text: "Not deployed yet" };
  return { state: "unknown", text: "Unknown" };
}

/** Drift now: an open drift issue is the record (the check updates it while drift lasts and closes it after). */
export function deriveDrift(action: string, issue: (Link & { firstSeen?: string }) | undefined): EnvironmentStatus["drift"] {
  if (issue) return { state: "drifted", text: "Drift", since: issue.firstSeen, issue: { number: issue.number, title: issue.title, url: issue.url } };
  if (action === "off") return { state: "off", text: "Drift checks off" };
  return { state: "in-sync", text: action === "heal" ? "In sync (heals itself)" : "In sync" };
}

/** "ValidationFailed: 1 error, nothing applied: …" → reason "ValidationFailed", detail the rest. */
export function splitReason(description: string): { reason: string; detail?: string } {
  const m = /^([A-Z][A-Za-z]+): (.*)$/s.exec(description.trim());
  if (m) return { reason: m[1]!, detail: m[2] };
  return { reason: description.trim() || "no reason given" };
}

/** Deployment duration: creation to the newest status, once that status is final. */
export function durationOf(createdAt: string, state: string, statusAt: string | undefined): number | undefined {
  if (!statusAt || RUNNING.has(state)) return undefined;
  const ms = Date.parse(statusAt) - Date.parse(createdAt);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}
