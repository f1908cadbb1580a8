// The diff core: pure functions from objects to a Plan. No I/O.
export type { Action, Plan, PlanChange, PlanError, PlanErrorReason, PlanSummary, SecretKeyChange } from "./plan.js";
export { buildPlan, type PlanInput } from "./build.js";
export { describeSummary, hasChanges } from "./summary.js";
export { normalizeObject, STAMP_KEYS, REVISION_ANNOTATION, REPOSITORY_ANNOTATION, APPLYSET_PART_OF_LABEL } from "./normalize.js";
export { maskSecrets, secretKeyChanges, secretValues, redactText, isSecret, type MaskResult } from "./mask.js";
export { applyIgnoreRules, parsePointer, ruleMatches, PointerError } from "./ignore.js";
export { projectOnto } from "./project.js";
export { toCanonicalYaml } from "./canonical.js";
export { unifiedDiff } from "./unified.js";
export { detectDangers } from "./dangers.js";
export { kindOrder as kindRank } from "../manifests/order.js";
export { deepEqual } from "./equal.js";
