// The kubelets of the pretend nodes: each bound pod's status as the container
// timelines of containers.ts say (phase, conditions, container statuses,
// addresses, QoS class), with the kubelet's events.

import { containerID, imageID, normalizeImage, viewOf, type ContainerView, type Mode } from "./containers.js";
import { containerEvents } from "./events.js";
import { schedule } from "./scheduler.js";
import { NODES, POD, parseTime, probed, setCondition, time, type ContainerRecord, type Cx, type Obj, type PodRuntime } from "./shared.js";


export function syncPods(cx: Cx): void {
  const seen = new Set<string>();
  for (const pod of cx.cache.list(POD)) {
    seen.add(pod.metadata.uid);
    if (pod.metadata.deletionTimestamp) continue;
    const bound = pod.spec?.nodeName ? pod : schedule(cx, pod);
    if (bound) runPod(cx, bound);
  }
  for (const uid of cx.runtimes.keys()) if (!seen.has(uid)) cx.runtimes.delete(uid);
}

function allContainers(pod: Obj): Obj[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
}

function runtimeOf(cx: Cx, pod: Obj): PodRuntime {
  let rt = cx.runtimes.get(pod.metadata.uid);
  if (!rt) {
    rt = { boundAt: parseTime(pod.status?.startTime) ?? cx.now, ip: pod.status?.podIP ?? cx.nextPodIP(), containers: new Map() };
    cx.runtimes.set(pod.metadata.uid, rt);
  }
  return rt;
}

/** The container's record; a changed behaviour (setScenario) starts over from "just pulled", keeping restarts. */
function recordOf(cx: Cx, rt: PodRuntime, key: string, behaviour: ContainerRecord["behaviour"]): ContainerRecord {
  const rec = rt.containers.get(key);
  if (!rec) {
    const fresh: ContainerRecord = { behaviour, since: rt.containers.size === 0 ? rt.boundAt : cx.now, base: 0, restarts: 0 };
    rt.containers.set(key, fresh);
    return fresh;
  }
  if (rec.behaviour !== behaviour) Object.assign(rec, { behaviour, since: cx.now - cx.readyAfterMs / 2, base: rec.restarts });
  return rec;
}

interface Row { c: Obj; view: ContainerView; init: boolean }

function runPod(cx: Cx, pod: Obj): void {
  const rt = runtimeOf(cx, pod);
  const policy = String(pod.spec?.restartPolicy ?? "Always");
  const info = (c: Obj) => ({ name: String(c.name), image: String(c.image ?? ""), spec: c, pod: pod.metadata.name, ns: pod.metadata.namespace, uid: pod.metadata.uid });
  const waitingInit = (c: Obj, init: boolean): Row => ({ c, init, view: { state: { waiting: { reason: "PodInitializing" } }, lastState: {}, restartCount: 0, ready: false, ran: false, stage: "initializing" } });
  const rows: Row[] = [];
  let initDone = true;
  let initFailed = false;
  for (const c of pod.spec?.initContainers ?? []) {
    if (!initDone) { rows.push(waitingInit(c, true)); continue; }
    const sidecar = c.restartPolicy === "Always";
    const mode: Mode = sidecar ? "service" : policy === "Never" ? "never" : "onfailure";
    const rec = recordOf(cx, rt, `init/${c.name}`, cx.behaviourOf(String(c.image ?? "")));
    const view = viewOf(rec, info(c), cx.now, cx.readyAfterMs, mode);
    rec.restarts = view.restartCount;
    rows.push({ c, view, init: true });
    const done = sidecar ? !!view.state.running : view.exit === 0;
    if (view.exit !== undefined && view.exit !== 0) initFailed = true;
    if (!done) initDone = false;
  }
  const mode: Mode = policy === "Always" ? "service" : policy === "Never" ? "never" : "onfailure";
  for (const c of pod.spec?.containers ?? []) {
    if (!initDone) { rows.push(waitingInit(c, false)); continue; }
    const rec = recordOf(cx, rt, c.name, cx.behaviourOf(String(c.image ?? "")));
    const view = viewOf(rec, info(c), cx.now, cx.readyAfterMs, mode);
    rec.restarts = view.restartCount;
    rows.push({ c, view, init: false });
    if (view.stage !== rec.stage) containerEvents(cx, pod, c, view, rec.stage);
    rec.stage = view.stage;
  }
  const main = rows.filter((r) => !r.init);
  const phase = phaseOf(main.map((r) => r.view), policy, initDone, initFailed);
  const ready = phase === "Running" && main.every((r) => r.view.ready);
  if (ready && rt.readySince === undefined) rt.readySince = cx.now;
  if (!ready) rt.readySince = undefined;
  writeStatus(cx, pod, rt, rows, phase, initDone);
}

function phaseOf(views: ContainerView[], policy: string, initDone: boolean, initFailed: boolean): string {
  if (initFailed) return "Failed";
  if (!initDone) return "Pending";
  let waiting = 0, running = 0, stopped = 0, succeeded = 0;
  for (const v of views) {
    if (v.state.running) running++;
    else if (v.state.terminated) { stopped++; if (v.exit === 0) succeeded++; }
    else if (v.ran) stopped++;
    else waiting++;
  }
  if (waiting > 0) return "Pending";
  if (running > 0) return "Running";
  if (policy === "Always") return "Running";
  if (succeeded === stopped) return "Succeeded";
  return policy === "Never" ? "Failed" : "Running";
}

function qosClass(pod: Obj): string {
  const cs = allContainers(pod);
  const res = cs.map((c) => ({ req: c.resources?.requests ?? {}, lim: c.resources?.limits ?? {} }));
  if (res.every((r) => Object.keys(r.req).length === 0 && Object.keys(r.lim).length === 0)) return "BestEffort";
  const guaranteed = res.every((r) => ["cpu", "memory"].every((k) => r.lim[k] !== undefined && (r.req[k] === undefined || r.req[k] === r.lim[k])));
  return guaranteed ? "Guaranteed" : "Burstable";
}

function containerStatus(pod: Obj, { c, view }: Row): Obj {
  const started = view.ran || !!view.state.running;
  return {
    name: c.name,
    image: normalizeImage(String(c.image ?? "")),
    imageID: started ? imageID(String(c.image ?? "")) : "",
    ...(started ? { containerID: containerID(pod.metadata.uid, c.name, view.restartCount) } : {}),
    ready: view.ready,
    restartCount: view.restartCount,
    started: !!view.state.running,
    state: view.state,
    lastState: view.lastState,
  };
}

function writeStatus(cx: Cx, pod: Obj, rt: PodRuntime, rows: Row[], phase: string, initDone: boolean): void {
  const now = time(cx.now);
  const terminal = phase === "Succeeded" || phase === "Failed";
  const main = rows.filter((r) => !r.init);
  const unready = main.filter((r) => !r.view.ready).map((r) => r.c.name);
  const incomplete = rows.filter((r) => r.init && !(r.view.exit === 0 || (r.c.restartPolicy === "Always" && r.view.state.running))).map((r) => r.c.name);
  const readyCond = terminal
    ? { type: "Ready", status: "False", reason: "PodCompleted" }
    : unready.length === 0 ? { type: "Ready", status: "True" } : { type: "Ready", status: "False", reason: "ContainersNotReady", message: `containers with unready status: [${unready.join(" ")}]` };
  let conditions: Obj[] | undefined = pod.status?.conditions;
  const set = (c: Obj) => (conditions = setCondition(conditions, c, now));
  set({ type: "PodReadyToStartContainers", status: terminal ? "False" : "True" });
  set(terminal && phase === "Succeeded" ? { type: "Initialized", status: "True", reason: "PodCompleted" }
    : initDone ? { type: "Initialized", status: "True" } : { type: "Initialized", status: "False", reason: "ContainersNotInitialized", message: `containers with incomplete status: [${incomplete.join(" ")}]` });
  set(readyCond);
  set({ ...readyCond, type: "ContainersReady" });
  set({ type: "PodScheduled", status: "True" });
  const order = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"];
  conditions = conditions!.map(probed).sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
  const hostIP = NODES.find((n) => n.name === pod.spec.nodeName)?.ip ?? NODES[0].ip;
  const inits = rows.filter((r) => r.init);
  const status: Obj = {
    phase,
    conditions,
    hostIP,
    hostIPs: [{ ip: hostIP }],
    podIP: rt.ip,
    podIPs: [{ ip: rt.ip }],
    startTime: time(rt.boundAt),
    ...(inits.length ? { initContainerStatuses: inits.map((r) => containerStatus(pod, r)) } : {}),
    containerStatuses: main.map((r) => containerStatus(pod, r)),
    qosClass: qosClass(pod),
  };
  cx.write({ ...pod, status }, "kubelet", "status");
}
