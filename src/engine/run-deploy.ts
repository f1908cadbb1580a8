// runDeploy: the cluster half of a deploy, shared by the GitHub agent and
// `converge apply`. A pipeline with a named reason for every failure:
//   plan     render + dry-run (same code as the preview)  → RenderFailed / ValidationFailed / ClusterNotAllowed
//   apply    staged server-side apply, inventory, prune     → ApplyFailed (half-applied: listed as such)
//   verify   health with fast failure                       → Degraded / Timeout
//   record   revision and result on the inventory parent
import type { EnvironmentConfig } from "../config/types.js";
import type { KubeClient } from "../cluster/client.js";
import type { Plan, PlanError } from "../diff/plan.js";
import { describeId, type ObjectId } from "../manifests/object.js";
import { applySetId, ANN_INPUTS, ANN_APPLIED_AT, ANN_ENVIRONMENT, ANN_FAILED_REVISION, ANN_REPOSITORY, ANN_RESULT, ANN_REVISION } from "../inventory/applyset.js";
import { planEnvironment, type PlannedEnvironment } from "./plan.js";
import { applyPlanned, writeParent, type ApplyResult } from "./apply.js";
import { verifyHealth, type FailingObject } from "./verify.js";
import { idKey, idOf } from "../manifests/object.js";

export type DeployReason =
  | "Healthy"
  | "RenderFailed"
  | "ValidationFailed"
  | "ClusterNotAllowed"
  | "ClusterUnreachable"
  | "ApplyFailed"
  | "PruneFailed"
  | "Degraded"
  | "Timeout";

export interface DeployRun {
  ok: boolean;
  reason: DeployReason;
  /** One line for a deployment status or a terminal: what happened. */
  message: string;
  plan?: Plan;
  apply?: ApplyResult;
  failing: FailingObject[];
  /** Objects applied before a failure stopped the deploy (half-applied environment). */
  appliedIds: ObjectId[];
  notApplied: ObjectId[];
  durationMs: number;
}

export interface RunDeployRequest {
  env: EnvironmentConfig;
  root: string;
  repository: string;
  revision: string;
  client: KubeClient;
  authorize?: (namespaces: string[], clusterScoped: boolean) => string | undefined;
  concurrency?: number;
  /** Overrides env.verify.timeout (seconds), e.g. for tests. */
  verifyTimeoutMs?: number;
  pollMs?: number;
  /** Called once the plan is known and before anything is applied. */
  onPlanned?: (planned: PlannedEnvironment) => Promise<void> | void;
  onApplied?: (id: ObjectId) => void;
  signal?: AbortSignal;
}

export async function runDeploy(req: RunDeployRequest): Promise<DeployRun> {
  const started = Date.now();
  const { env, client } = req;
  const done = (r: Omit<DeployRun, "durationMs">): DeployRun => ({ ...r, durationMs: Date.now() - started });

  // plan
  let planned: PlannedEnvironment;
  try {
    planned = await planEnvironment({ env, root: req.root, repository: req.repository, revision: req.revision, client, authorize: req.authorize, concurrency: req.concurrency });
  } catch (err) {
    return done({ ok: false, reason: "ClusterUnreachable", message: `cluster "${env.cluster}": ${(err as Error).message}`, failing: [], appliedIds: [], notApplied: [] });
  }
  const plan = planned.plan;
  if (plan.errors.length) {
    return done({ ok: false, reason: reasonOf(plan.errors), message: describeErrors(plan.errors), plan, failing: [], appliedIds: [], notApplied: planned.objects.map((o) => idOf(o.desired.object)) });
  }
  await req.onPlanned?.(planned);

  // apply
  const apply = await applyPlanned(client, planned, {
    force: env.forceConflicts,
    prune: env.prune,
    concurrency: req.concurrency,
    repository: req.repository,
    environment: env.name,
    revision: req.revision,
    onApplied: req.onApplied,
  });
  const appliedIds = apply.applied.map(idOf);
  if (apply.failed.length) {
    const message = `${apply.failed.length} of ${planned.objects.length} objects failed to apply (${appliedIds.length} applied, ${apply.notAttempted.length} not attempted): ${apply.failed.slice(0, 3).map((f) => f.message).join("; ")}`;
    await recordFailure(req, planned, apply);
    return done({ ok: false, reason: "ApplyFailed", message, plan, apply, failing: [], appliedIds, notApplied: [...apply.failed.map((f) => f.id), ...apply.notAttempted] });
  }

  // verify
  const verify = await verifyHealth(client, planned.discovery, apply.applied, {
    applySetId: applySetId(planned.parent),
    timeoutMs: req.verifyTimeoutMs ?? env.verify.timeout * 1000,
    restartThreshold: env.verify.restartThreshold,
    pollMs: req.pollMs,
    signal: req.signal,
  });
  if (verify.outcome !== "Healthy") {
    await recordFailure(req, planned, apply);
    return done({ ok: false, reason: verify.outcome, message: verify.reason, plan, apply, failing: verify.failing, appliedIds, notApplied: [] });
  }
  if (apply.pruneFailed.length) {
    await recordFailure(req, planned, apply);
    const message = `applied and healthy, but ${apply.pruneFailed.length} objects could not be pruned: ${apply.pruneFailed.slice(0, 3).map((f) => `${describeId(f.id)}: ${f.message}`).join("; ")}`;
    return done({ ok: false, reason: "PruneFailed", message, plan, apply, failing: [], appliedIds, notApplied: [] });
  }

  // record
  await record(req, planned, "succeeded", apply);
  return done({ ok: true, reason: "Healthy", message: `${describeSummaryShort(plan)}; ${verify.reason}`, plan, apply, failing: [], appliedIds, notApplied: [] });
}

/**
 * A failure is reported whether or not the parent can be written: when the
 * cluster refuses that write too (the same outage), the failure itself is what
 * the report must say, not the parent's error.
 */
async function recordFailure(req: RunDeployRequest, planned: PlannedEnvironment, apply: ApplyResult): Promise<void> {
  await record(req, planned, "failed", apply).catch(() => undefined);
}

/** The outcome on the inventory parent: what the reconcile timer and drift checks read. */
async function record(req: RunDeployRequest, planned: PlannedEnvironment, result: "succeeded" | "failed", apply?: ApplyResult): Promise<void> {
  const pruned = new Set((apply?.pruned ?? []).map(idKey));
  // Desired objects plus earlier members not pruned (a failed prune leaves them live and listed).
  const members = [...planned.objects.map((o) => idOf(o.desired.object)), ...planned.members.map(idOf).filter((m) => !pruned.has(idKey(m)))];
  const inv = planned.inventory;
  const annotations: Record<string, string> = {
    [ANN_REPOSITORY]: req.repository,
    [ANN_ENVIRONMENT]: req.env.name,
    [ANN_RESULT]: result,
    [ANN_APPLIED_AT]: new Date().toISOString(),
    [ANN_INPUTS]: compactInputs(planned.inputs, req.env.path),
  };
  if (result === "succeeded") annotations[ANN_REVISION] = req.revision;
  else {
    if (inv.revision) annotations[ANN_REVISION] = inv.revision;
    annotations[ANN_FAILED_REVISION] = req.revision;
  }
  // Prune candidates the apply could not delete stay listed as members.
  await writeParent(req.client, planned.discovery, planned.parent, members, annotations);
}

function reasonOf(errors: PlanError[]): DeployReason {
  if (errors.some((e) => e.reason === "ClusterNotAllowed")) return "ClusterNotAllowed";
  if (errors.some((e) => e.reason === "ClusterUnreachable")) return "ClusterUnreachable";
  if (errors.some((e) => e.reason === "ValidationFailed" || e.reason === "DryRunFailed" || e.reason === "UnknownKind")) return "ValidationFailed";
  return "RenderFailed";
}

function describeErrors(errors: PlanError[]): string {
  const first = errors.slice(0, 3).map((e) => `${e.file ? `${e.file}${e.line ? `:${e.line}` : ""}: ` : ""}${e.message}`);
  return `${errors.length} error${errors.length === 1 ? "" : "s"}, nothing applied: ${first.join("; ")}`;
}

function describeSummaryShort(plan: Plan): string {
  const s = plan.summary;
  return `${s.create} created, ${s.update} updated, ${s.delete} deleted, ${s.unchanged} unchanged`;
}

/** Inputs outside the environment path only (the path itself is implied), bounded in size. */
function compactInputs(inputs: string[], envPath: string): string {
  const prefix = envPath === "." ? "" : `${envPath.replace(/\/+$/, "")}/`;
  const outside = [...new Set(inputs.filter((i) => prefix && !i.startsWith(prefix) && i !== envPath))].sort();
  let out = "";
  for (const i of outside) {
    if (out.length + i.length + 1 > 4000) return "./"; // too many to list: any change counts
    out = out ? `${out},${i}` : i;
  }
  return out;
}
