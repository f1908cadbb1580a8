// Fast failure: a rollout whose new pods cannot pull their image or keep
// crashing will never become healthy, and the progress deadline (ten minutes
// by default) is far too late to say so. The container states say it at once.
import type { KubeObject } from "../manifests/object.js";
import { fieldList, fields, int, specOf, statusOf, text, type Fields } from "./fields.js";
import type { HealthOptions, HealthResult } from "./status.js";

/** Waiting reasons that mean the container will not start without a change. */
export const FAILING_WAITING_REASONS: ReadonlySet<string> = new Set([
  "CrashLoopBackOff",
  "ImagePullBackOff",
  "ErrImagePull",
  "CreateContainerConfigError",
  "CreateContainerError",
  "InvalidImageName",
  "RunContainerError",
]);

export const DEFAULT_RESTART_THRESHOLD = 3;
const MAX_DETAIL = 300; // kubelet messages can carry whole registry responses

/** The first failing container of the first failing pod (by name), noting how many other pods fail. */
export function podsFailure(pods: KubeObject[], opts: HealthOptions = {}): HealthResult | undefined {
  const failures = [...pods]
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    .map((pod) => podFailure(pod, opts))
    .filter((f): f is HealthResult => f !== undefined);
  if (failures.length === 0) return undefined;
  const [first] = failures;
  const others = failures.length - 1;
  return others === 0 ? first : { ...first, message: `${first.message} (and ${others} more failing pod${others === 1 ? "" : "s"})` };
}

/** Why this pod cannot run, or undefined. Evicted and terminating pods are ignored: they are being replaced. */
export function podFailure(pod: KubeObject, opts: HealthOptions = {}): HealthResult | undefined {
  const status = statusOf(pod);
  if (status.reason === "Evicted" || pod.metadata.deletionTimestamp) return undefined;
  const spec = specOf(pod);
  const specs = new Map<string, Fields>();
  for (const c of [...fieldList(spec.initContainers), ...fieldList(spec.containers)]) specs.set(text(c.name) ?? "", c);
  const containers = [
    ...fieldList(status.initContainerStatuses).map((cs) => ({ cs, init: true })),
    ...fieldList(status.containerStatuses).map((cs) => ({ cs, init: false })),
  ];
  for (const { cs, init } of containers) {
    const failure = containerFailure(pod.metadata.name, cs, specs.get(text(cs.name) ?? "") ?? {}, init, opts);
    if (failure) return failure;
  }
  return undefined;
}

function containerFailure(pod: string, cs: Fields, spec: Fields, init: boolean, opts: HealthOptions): HealthResult | undefined {
  const name = text(cs.name) ?? "(unnamed)";
  const state = fields(cs.state);
  const waiting = fields(state.waiting);
  const terminated = fields(state.terminated);
  const last = fields(fields(cs.lastState).terminated);
  const threshold = opts.restartThreshold ?? DEFAULT_RESTART_THRESHOLD;
  const restarts = int(cs.restartCount) - (opts.baselineRestarts?.get(`${pod}/${name}`) ?? 0);
  const lastExit = last.reason || last.exitCode !== undefined ? `last terminated: ${describeExit(last)}` : undefined;

  let reason: string | undefined;
  let detail: string | undefined;
  const waitingReason = text(waiting.reason);
  if (waitingReason && FAILING_WAITING_REASONS.has(waitingReason)) {
    reason = waitingReason;
    detail = join(text(waiting.message), waitingReason === "CrashLoopBackOff" ? lastExit : undefined);
  } else if (terminated.reason === "OOMKilled" || (restarts > 0 && last.reason === "OOMKilled")) {
    reason = "OOMKilled";
    const limit = text(fields(fields(spec.resources).limits).memory);
    detail = join(describeExit(terminated.reason === "OOMKilled" ? terminated : last), limit && `memory limit ${limit}`);
  } else if (threshold > 0 && restarts >= threshold) {
    reason = "RestartLoop";
    detail = join(`restarted ${restarts} times`, lastExit);
  }
  if (!reason) return undefined;

  const image = text(spec.image) ?? text(cs.image) ?? "(unknown)";
  const what = `pod ${pod} ${init ? "init container" : "container"} ${name}`;
  return { status: "Degraded", reason, message: `${what}: ${reason} (image ${image}${detail ? `: ${clip(detail)}` : ""})` };
}

function describeExit(terminated: Fields): string {
  const reason = text(terminated.reason) ?? "terminated";
  return terminated.exitCode === undefined ? reason : `${reason}, exit code ${int(terminated.exitCode)}`;
}

function join(...parts: (string | undefined)[]): string | undefined {
  const present = parts.filter((p): p is string => Boolean(p));
  return present.length ? present.join("; ") : undefined;
}

function clip(detail: string): string {
  const line = detail.replace(/\s+/g, " ").trim();
  return line.length <= MAX_DETAIL ? line : `${line.slice(0, MAX_DETAIL - 1)}…`;
}
