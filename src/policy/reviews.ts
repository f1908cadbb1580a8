// The review rules as conditions: enough allowed approvals on the head, and no
// outstanding "changes requested" from an allowed reviewer.
import type { ApprovalPolicy } from "../config/types.js";
import type { Tally } from "./approvals.js";
import type { Condition } from "./types.js";
import { andList, orList, plain, plural, shortSha } from "./text.js";

/** "from @acme/sre or alice", or "" when anyone may approve. */
export function fromPhrase(from: string[]): string {
  const who = from.map((f) => plain(f, 80)).filter(Boolean);
  return who.length ? ` from ${orList(who)}` : "";
}

/** "(has 1: bob; not counted: carol (approved def5678))" */
export function hasPhrase(t: Tally): string {
  const has = t.approvers.length ? `has ${t.approvers.length}: ${t.approvers.join(", ")}` : "has none";
  const not = t.notCounted.length ? `; not counted: ${t.notCounted.join(", ")}` : "";
  const teams = t.unresolvedTeams.length ? `; members of ${andList(t.unresolvedTeams.map((x) => plain(x, 80)))} could not be resolved` : "";
  return `(${has}${not}${teams})`;
}

/** "needs 1 more approval from @acme/sre on abc1234" */
export function missingApprovals(count: number, target: number, from: string[], headSha: string): string {
  const missing = target - count;
  const amount = count > 0 ? `${missing} more ${missing === 1 ? "approval" : "approvals"}` : plural(missing, "approval");
  return `needs ${amount}${fromPhrase(from)} on ${shortSha(headSha)}`;
}

export function approvalCondition(policy: ApprovalPolicy, t: Tally, headSha: string, revertSkips: boolean): Condition {
  const rule = "approvals";
  if (revertSkips) {
    return { rule, ok: true, short: "", text: "approvals not required: this is Converge's own revert of a failed deploy (autoApproveReverts)" };
  }
  if (policy.required <= 0) return { rule, ok: true, short: "", text: "no approval required" };
  const sha = shortSha(headSha);
  if (t.approvers.length >= policy.required) {
    return { rule, ok: true, short: "", text: `${plural(policy.required, "approval")} on ${sha}${fromPhrase(policy.from)} (${t.approvers.join(", ")})` };
  }
  return {
    rule,
    ok: false,
    short: missingApprovals(t.approvers.length, policy.required, policy.from, headSha),
    text: `needs ${plural(policy.required, "approval")} on ${sha}${fromPhrase(policy.from)} ${hasPhrase(t)}`,
  };
}

export function changesRequestedCondition(t: Tally): Condition {
  const rule = "changes-requested";
  if (t.blockers.length === 0) return { rule, ok: true, short: "", text: "no outstanding change requests" };
  const users = t.blockers.map((r) => plain(r.user, 80));
  const where = t.blockers.map((r) => `${plain(r.user, 80)} on ${shortSha(r.commitId)}`);
  return {
    rule,
    ok: false,
    short: `changes requested by ${andList(users)}`,
    text: `changes requested by ${andList(where)}; a new approving review from them, or dismissing the review, clears it`,
  };
}
