/**
 * The `Converge approval` check: success only when, for every affected
 * environment, the policy holds. Pure: the GitHub adapter resolves reviews,
 * labels and team members and passes them in.
 *
 * Rules, per environment:
 * - **Approvals** count only reviews submitted on the current head commit
 *   (`commitId === headSha`): a push after approval resets the gate, because
 *   the reviewer approved other code. A reviewer's standing is their latest
 *   review by `submittedAt` that changes state: COMMENTED (and PENDING, which
 *   is unsubmitted) leave it as it was, DISMISSED clears it. The author's
 *   reviews are ignored. Logins compare case-insensitively. When
 *   `approvals.from` is non-empty only those users and members of those teams
 *   count (teams are resolved by the adapter; an unresolved team counts nobody
 *   and the message says so). `required: 0` needs no approval.
 * - **Changes requested** by an allowed reviewer (anyone when `from` is empty)
 *   block while it is their standing review, even on an older commit: GitHub
 *   keeps it until they re-review or it is dismissed.
 * - **Preview** must exist for the head (`previewSha === headSha`) and have no
 *   errors. Dangers and images are only judged on a fresh preview: a stale
 *   plan describes other code.
 * - **Dangerous changes** (any plan change with `dangers`, or deletes above
 *   `dangerous.maxDeleteShare` of `liveObjectCount`) need the label
 *   `dangerous.label`, or, when `dangerous.extraApprovals > 0`, that many
 *   approvals beyond `approvals.required`.
 * - **Images** must be immutable: a digest always passes; no tag or `latest`
 *   fails unless `images.allowMutable`; otherwise the tag must match
 *   `images.allowedTags`. Malformed references always fail.
 * - **Converge's own revert PRs** (`isConvergeRevert`) with
 *   `autoApproveReverts` skip the approval count and the dangerous-change
 *   opt-in (they restore a state that was reviewed and deployed before), but
 *   still need a successful preview, pinned images and no change request.
 *
 * No environment → neutral. The title is the most fundamental unmet condition
 * (preview, images, change requests, dangers, approvals — what needs a new
 * push first, since a push resets approvals), with "(+N more)".
 */
import type { Condition, EnvironmentGateInput, GateInput, GateResult } from "./types.js";
import { RULES } from "./types.js";
import { standingReviews, tally } from "./approvals.js";
import { approvalCondition, changesRequestedCondition } from "./reviews.js";
import { previewCondition, previewIsFresh } from "./preview.js";
import { dangerCondition } from "./dangers.js";
import { imageConditions } from "./images.js";
import { plain } from "./text.js";

function environmentConditions(input: GateInput, e: EnvironmentGateInput, standing: ReturnType<typeof standingReviews>): Condition[] {
  const t = tally(standing, input.headSha, e.env.approvals.from, input.teamMembers, input.writers);
  const revertSkips = input.isConvergeRevert && e.env.autoApproveReverts;
  const plan = previewIsFresh(e, input.headSha) ? e.plan : undefined;
  const conditions = [previewCondition(e, input.headSha)];
  if (plan) conditions.push(...imageConditions(e.images, e.env.images));
  conditions.push(changesRequestedCondition(t));
  if (plan) {
    const approvals = t.approvers.length;
    conditions.push(dangerCondition({ env: e.env, plan, liveObjectCount: e.liveObjectCount, labels: input.labels, approvals, headSha: input.headSha, revertSkips }));
  }
  conditions.push(approvalCondition(e.env.approvals, t, input.headSha, revertSkips));
  return conditions;
}

export function evaluateGate(input: GateInput): GateResult {
  if (input.environments.length === 0) return { conclusion: "neutral", title: "no environment affected", unmet: [], met: [] };
  const standing = standingReviews(input.reviews, input.author);
  const unmet: string[] = [];
  const met: string[] = [];
  let first: { rank: number; short: string } | undefined;
  for (const e of input.environments) {
    const name = plain(e.env.name, 100);
    for (const c of environmentConditions(input, e, standing)) {
      (c.ok ? met : unmet).push(`${name}: ${c.text}`);
      const rank = RULES.indexOf(c.rule);
      if (!c.ok && (!first || rank < first.rank)) first = { rank, short: c.short };
    }
  }
  if (!first) {
    return { conclusion: "success", title: plain(`approved: ${input.environments.map((e) => e.env.name).join(", ")}`), unmet, met };
  }
  const more = unmet.length > 1 ? ` (+${unmet.length - 1} more)` : "";
  return { conclusion: "failure", title: `${plain(first.short, 180)}${more}`, unmet, met };
}
