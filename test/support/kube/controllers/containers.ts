// The kubelet's view of one container over time, per scripted behaviour: a
// pure function of (behaviour, when it began, now). The timeline of a healthy
// container: ContainerCreating for readyAfterMs/2, then running, ready at
// readyAfterMs (or, run to completion, terminated Completed then). Failing
// behaviours show their waiting reason from readyAfterMs/2 on, with the
// kubelet's messages; crash loops cycle every CYCLE_MS (running RUN_MS, then
// CrashLoopBackOff) with restartCount growing, as in real time but faster.

import { createHash } from "node:crypto";
import type { ContainerRecord, Obj } from "./shared.js";
import { time } from "./shared.js";

export const CYCLE_MS = 100;
const RUN_MS = 20;

/** service: restartPolicy Always; never / onfailure: runs to completion. */
export type Mode = "service" | "never" | "onfailure";

export interface ContainerView {
  state: Obj;
  lastState: Obj;
  restartCount: number;
  ready: boolean;
  /** Has run at least once (a waiting container that ran counts as restarting, not pending). */
  ran: boolean;
  /** Exit code once terminated for good (run-to-completion modes). */
  exit?: number;
  /** Names the stage for kubelet events: they are recorded when it changes. */
  stage: string;
}

export interface ContainerInfo { name: string; image: string; spec: Obj; pod: string; ns: string; uid: string }

/** docker.io/library/nginx:latest for nginx, as containerd names images. */
export function normalizeImage(image: string): string {
  const first = image.split("/")[0];
  const hasRegistry = image.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  let ref = hasRegistry ? image : `docker.io/${image.includes("/") ? image : `library/${image}`}`;
  const last = ref.slice(ref.lastIndexOf("/") + 1);
  if (!last.includes(":") && !ref.includes("@")) ref += ":latest";
  return ref;
}

export function imageID(image: string): string {
  const ref = normalizeImage(image);
  const repo = ref.includes("@") ? ref.slice(0, ref.indexOf("@")) : ref.slice(0, ref.lastIndexOf(":"));
  return `${repo}@sha256:${createHash("sha256").update(ref).digest("hex")}`;
}

export function containerID(uid: string, name: string, restarts: number): string {
  return `containerd://${createHash("sha256").update(`${uid}/${name}/${restarts}`).digest("hex")}`;
}

/** "10s", "20s", … "5m0s": the kubelet's crash back-off after k crashes, as Go prints durations. */
function backoff(k: number): string {
  const s = Math.min(10 * 2 ** k, 300);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60}s`;
}

export function pullError(image: string): string {
  const ref = normalizeImage(image);
  return `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`;
}

export function invalidImageMessage(image: string): string {
  return `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`;
}

/** The kubelet names the first missing Secret or ConfigMap the container refers to. */
export function configErrorMessage(spec: Obj): string {
  for (const e of spec.envFrom ?? []) {
    if (e?.secretRef?.name) return `secret "${e.secretRef.name}" not found`;
    if (e?.configMapRef?.name) return `configmap "${e.configMapRef.name}" not found`;
  }
  for (const e of spec.env ?? []) {
    if (e?.valueFrom?.secretKeyRef?.name) return `secret "${e.valueFrom.secretKeyRef.name}" not found`;
    if (e?.valueFrom?.configMapKeyRef?.name) return `configmap "${e.valueFrom.configMapKeyRef.name}" not found`;
  }
  return `secret "${spec.name}-env" not found`;
}

export function viewOf(rec: ContainerRecord, c: ContainerInfo, now: number, readyAfterMs: number, mode: Mode): ContainerView {
  const R = readyAfterMs;
  const C = R / 2;
  const e = now - rec.since;
  const at = (ms: number) => time(rec.since + ms);
  const base = rec.base;
  const id = (k: number) => containerID(c.uid, c.name, base + k);
  const waiting = (reason: string, message: string | undefined, stage: string, extra: Partial<ContainerView> = {}): ContainerView => ({
    state: { waiting: { reason, ...(message ? { message } : {}) } }, lastState: {}, restartCount: base, ready: false, ran: false, stage, ...extra,
  });
  const crashed = (k: number): Obj => ({ terminated: { exitCode: 1, reason: "Error", startedAt: at(C + k * CYCLE_MS), finishedAt: at(C + k * CYCLE_MS + RUN_MS), containerID: id(k) } });
  const running = (startMs: number, k: number, ready: boolean, stage: string): ContainerView => ({
    state: { running: { startedAt: at(startMs) } }, lastState: k > 0 ? crashed(k - 1) : {}, restartCount: base + k, ready, ran: true, stage,
  });

  if (rec.behaviour === "invalidimagename") return waiting("InvalidImageName", invalidImageMessage(c.image), "invalid");
  if (e < C || rec.behaviour === "pending") return waiting("ContainerCreating", undefined, "creating");
  switch (rec.behaviour) {
    case "ok":
      if (mode === "service") return running(C, 0, e >= R, e >= R ? "ready" : "started");
      if (e < R) return running(C, 0, false, "started");
      return { state: { terminated: { exitCode: 0, reason: "Completed", startedAt: at(C), finishedAt: at(R), containerID: id(0) } }, lastState: {}, restartCount: base, ready: false, ran: true, exit: 0, stage: "completed" };
    case "never-ready":
      return running(C, 0, false, "unready");
    case "restart-loop":
    case "crashloop": {
      if (mode === "never") {
        if (e < C + RUN_MS) return running(C, 0, false, "started");
        return { state: crashed(0), lastState: {}, restartCount: base, ready: false, ran: true, exit: 1, stage: "failed" };
      }
      const k = Math.floor((e - C) / CYCLE_MS);
      const u = (e - C) % CYCLE_MS;
      if (rec.behaviour === "restart-loop") return running(C + k * CYCLE_MS, k, e >= R, k === 0 ? "started" : "restarted");
      if (u < RUN_MS) return running(C + k * CYCLE_MS, k, false, k === 0 ? "started" : `restarted-${k}`);
      const message = `back-off ${backoff(k)} restarting failed container=${c.name} pod=${c.pod}_${c.ns}(${c.uid})`;
      return waiting("CrashLoopBackOff", message, `backoff-${k}`, { lastState: crashed(k), restartCount: base + k, ran: true });
    }
    case "imagepullbackoff":
      return waiting("ImagePullBackOff", `Back-off pulling image "${c.image}"`, "pull-backoff");
    case "errimagepull":
      return waiting("ErrImagePull", pullError(c.image), "pull-error");
    case "createcontainerconfigerror":
      return waiting("CreateContainerConfigError", configErrorMessage(c.spec), "config-error");
  }
  return waiting("ContainerCreating", undefined, "creating");
}
