// A reviewer approves what the preview showed, so the preview must exist for
// the exact head commit and must have succeeded: an approval of a diff that
// was never computed, or computed for another commit, approves nothing.
import type { Condition, EnvironmentGateInput } from "./types.js";
import { plural, shortSha } from "./text.js";

/** True when the plan describes the head commit (the other rules may then read it). */
export function previewIsFresh(e: EnvironmentGateInput, headSha: string): boolean {
  return e.plan !== undefined && e.previewSha === headSha;
}

export function previewCondition(e: EnvironmentGateInput, headSha: string): Condition {
  const rule = "preview";
  const head = shortSha(headSha);
  if (!e.plan) return { rule, ok: false, short: `no preview yet for ${head}`, text: `no preview yet for ${head}` };
  if (e.previewSha !== headSha) {
    const text = `preview is stale (computed for ${shortSha(e.previewSha)}, head is ${head})`;
    return { rule, ok: false, short: text, text };
  }
  const errors = e.plan.errors.length;
  if (errors > 0) {
    return { rule, ok: false, short: `preview has ${plural(errors, "error")}`, text: `preview for ${head} has ${plural(errors, "error")}: see Converge preview` };
  }
  return { rule, ok: true, short: "", text: `preview for ${head} succeeded` };
}
