// One entry of `environments:` -> EnvironmentConfig, defaults filled in.
// Sub-objects are partial in the file: `approvals: { required: 2 }` keeps the
// default `from`, so every field falls back on its own.

import { bool, field, int, list, mapping, num, oneOf, report, required, str, type Ctx } from "./check.js";
import { environmentDefaults, MAX_DRIFT_INTERVAL, MAX_VERIFY_TIMEOUT, MIN_DRIFT_INTERVAL } from "./defaults.js";
import type { Path } from "./path.js";
import { branchName, clusterName, httpUrl, jsonPointer, labelName, namespaceName, regex, repoPath, reviewer } from "./rules.js";
import type { ApprovalPolicy, DriftAction, EnvironmentConfig, IgnoreRule, OnFailure } from "./types.js";

const ENV_KEYS = [
  "path", "cluster", "branch", "namespace", "approvals", "prune", "verify", "onFailure", "drift",
  "ignoreDifferences", "dangerous", "images", "autoApproveReverts", "forceConflicts", "url",
] as const;
const ON_FAILURE: readonly OnFailure[] = ["revert-pr", "revert-merge", "none"];
const DRIFT_ACTIONS: readonly DriftAction[] = ["heal", "report", "off"];

export function readEnvironment(ctx: Ctx, path: Path, name: string, v: unknown): EnvironmentConfig | undefined {
  const d = environmentDefaults();
  const m = mapping(ctx, path, v, ENV_KEYS, "a mapping with at least path and cluster");
  const envPath = required(ctx, m, path, "path", repoPath);
  const cluster = required(ctx, m, path, "cluster", clusterName);
  const namespace = field(ctx, m, path, "namespace", namespaceName, undefined);
  const sub = (key: string, keys: readonly string[]) => {
    const p = [...path, key];
    return { p, m: field(ctx, m, path, key, (c, pp, x) => mapping(c, pp, x, keys), undefined) };
  };

  const a = sub("approvals", ["required", "from"]);
  const approvals: ApprovalPolicy = {
    required: field(ctx, a.m, a.p, "required", int(0), d.approvals.required),
    from: dedupe(field(ctx, a.m, a.p, "from", list(reviewer), d.approvals.from)),
  };
  checkSatisfiable(ctx, a.p, approvals);

  const ver = sub("verify", ["timeout", "restartThreshold"]);
  const dr = sub("drift", ["interval", "action"]);
  const dg = sub("dangerous", ["label", "maxDeleteShare", "extraApprovals"]);
  const im = sub("images", ["allowedTags", "allowMutable"]);

  const env: EnvironmentConfig = {
    name,
    path: envPath ?? "",
    cluster: cluster ?? "",
    branch: field(ctx, m, path, "branch", branchName, d.branch),
    approvals,
    prune: field(ctx, m, path, "prune", bool, d.prune),
    verify: {
      timeout: field(ctx, ver.m, ver.p, "timeout", int(1, MAX_VERIFY_TIMEOUT, "second"), d.verify.timeout),
      // 0 would fail every rollout before it starts, so at least one restart must be allowed to count.
      restartThreshold: field(ctx, ver.m, ver.p, "restartThreshold", int(1), d.verify.restartThreshold),
    },
    onFailure: field(ctx, m, path, "onFailure", oneOf(ON_FAILURE), d.onFailure),
    drift: {
      interval: field(ctx, dr.m, dr.p, "interval", int(MIN_DRIFT_INTERVAL, MAX_DRIFT_INTERVAL, "second"), d.drift.interval),
      action: field(ctx, dr.m, dr.p, "action", oneOf(DRIFT_ACTIONS), d.drift.action),
    },
    ignoreDifferences: field(ctx, m, path, "ignoreDifferences", list(ignoreRule), d.ignoreDifferences),
    dangerous: {
      label: field(ctx, dg.m, dg.p, "label", labelName, d.dangerous.label),
      maxDeleteShare: field(ctx, dg.m, dg.p, "maxDeleteShare", num(0, 1), d.dangerous.maxDeleteShare),
      extraApprovals: field(ctx, dg.m, dg.p, "extraApprovals", int(0), d.dangerous.extraApprovals),
    },
    images: {
      allowedTags: field(ctx, im.m, im.p, "allowedTags", regex, d.images.allowedTags),
      allowMutable: field(ctx, im.m, im.p, "allowMutable", bool, d.images.allowMutable),
    },
    autoApproveReverts: field(ctx, m, path, "autoApproveReverts", bool, d.autoApproveReverts),
    forceConflicts: field(ctx, m, path, "forceConflicts", bool, d.forceConflicts),
  };
  if (namespace !== undefined) env.namespace = namespace;
  const url = field(ctx, m, path, "url", httpUrl, undefined);
  if (url !== undefined) env.url = url;
  return m && envPath !== undefined && cluster !== undefined ? env : undefined;
}

function ignoreRule(ctx: Ctx, path: Path, v: unknown): IgnoreRule | undefined {
  const m = mapping(ctx, path, v, ["group", "kind", "name", "namespace", "jsonPointers"]);
  if (!m) return undefined;
  const kind = required(ctx, m, path, "kind", str);
  const jsonPointers = required(ctx, m, path, "jsonPointers", list(jsonPointer, { nonEmpty: true }));
  const rule: IgnoreRule = { kind: kind ?? "", jsonPointers: jsonPointers ?? [] };
  // group "" is the core API group; only an absent group matches any group.
  if (m.has("group")) {
    const g = m.get("group");
    if (typeof g === "string") rule.group = g;
    else report(ctx, [...path, "group"], 'must be a string ("" for the core group); leave it out to match any group');
  }
  const name = field(ctx, m, path, "name", str, undefined);
  const namespace = field(ctx, m, path, "namespace", namespaceName, undefined);
  if (name !== undefined) rule.name = name;
  if (namespace !== undefined) rule.namespace = namespace;
  return kind !== undefined && jsonPointers !== undefined ? rule : undefined;
}

/** Same reviewer twice (alice, @alice, ALICE) counts once: GitHub logins are case-insensitive. */
function dedupe(from: string[]): string[] {
  const seen = new Set<string>();
  return from.filter((r) => !seen.has(r.toLowerCase()) && !!seen.add(r.toLowerCase()));
}

/** Catch a policy nobody can meet: only named users, fewer of them than required approvals. */
function checkSatisfiable(ctx: Ctx, path: Path, a: ApprovalPolicy): void {
  if (a.from.length === 0 || a.from.some((r) => r.startsWith("@"))) return;
  if (a.required > a.from.length) {
    report(ctx, [...path, "required"], `requires ${a.required} approvals but only ${a.from.length} ${a.from.length === 1 ? "user is" : "users are"} listed in from`);
  }
}
