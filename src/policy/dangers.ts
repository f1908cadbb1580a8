// Dangerous changes (deletions, Namespaces, CRDs, immutable fields, mass
// pruning) need an explicit opt-in beyond an ordinary approval: a label, or
// extra approvals when the policy allows that.
import type { Plan } from "../diff/plan.js";
import type { EnvironmentConfig } from "../config/types.js";
import { describeId } from "../manifests/object.js";
import type { Condition } from "./types.js";
import { firstOf, plain, plural, shortSha } from "./text.js";
import { fromPhrase } from "./reviews.js";

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

/** Every reason the plan is dangerous, each naming the object. */
export function dangersOf(plan: Plan, maxDeleteShare: number, liveObjectCount?: number): string[] {
  const items: string[] = [];
  for (const change of plan.changes) {
    if (change.action === "unchanged") continue;
    const what = describeId(change.id);
    // detectDangers names the object for deletes; other reasons need it in front.
    for (const danger of change.dangers) items.push(plain(danger.includes(what) ? danger : `${what}: ${danger}`));
  }
  const deletes = plan.changes.filter((c) => c.action === "delete").length;
  // Without a live count (or with an empty inventory) the share is unknown, not 100%:
  // the individual deletes are already listed above.
  if (liveObjectCount && deletes > 0) {
    const share = deletes / liveObjectCount;
    if (share > maxDeleteShare) {
      items.push(`deletes ${deletes} of ${liveObjectCount} live objects (${percent(share)}, above the ${percent(maxDeleteShare)} limit)`);
    }
  }
  return items;
}

export interface DangerContext {
  env: EnvironmentConfig;
  plan: Plan;
  liveObjectCount?: number;
  labels: string[];
  approvals: number; // allowed approvals on the head
  headSha: string;
  revertSkips: boolean;
}

export function dangerCondition(c: DangerContext): Condition {
  const rule = "dangerous";
  const items = dangersOf(c.plan, c.env.dangerous.maxDeleteShare, c.liveObjectCount);
  if (items.length === 0) return { rule, ok: true, short: "", text: "no dangerous change" };
  const list = `${plural(items.length, "dangerous change")} (${firstOf(items)})`;
  if (c.revertSkips) {
    return { rule, ok: true, short: "", text: `${list} allowed: this is Converge's own revert, restoring a state that was reviewed and deployed before` };
  }
  const label = plain(c.env.dangerous.label, 100);
  // GitHub label names are unique case-insensitively.
  if (c.labels.some((l) => l.toLowerCase() === c.env.dangerous.label.toLowerCase())) {
    return { rule, ok: true, short: "", text: `${list} acknowledged by the label ${label}` };
  }
  const extra = c.env.dangerous.extraApprovals;
  const target = Math.max(c.env.approvals.required, 0) + extra;
  if (extra > 0 && c.approvals >= target) {
    return { rule, ok: true, short: "", text: `${list} acknowledged by ${plural(c.approvals, "approval")} on ${shortSha(c.headSha)} (${extra} beyond the required ${c.env.approvals.required})` };
  }
  const orApprovals = extra > 0 ? `, or get ${plural(target, "approval")}${fromPhrase(c.env.approvals.from)} on ${shortSha(c.headSha)} (${extra} beyond the required ${c.env.approvals.required}; has ${c.approvals})` : "";
  return {
    rule,
    ok: false,
    short: `destructive change needs label ${label}`,
    text: `${list} ${items.length === 1 ? "needs" : "need"} an explicit opt-in: add the label ${label}${orApprovals}`,
  };
}
