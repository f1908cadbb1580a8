// A scripted controller manager + scheduler + kubelet for the simulated API
// server, in-process: it reads the store through change notifications (an
// informer cache) and writes through the same path as the API (defaulting,
// managedFields under kube-controller-manager / kubelet / kube-scheduler,
// resourceVersions, watch events), so clients see what a real cluster shows
// after an apply: ReplicaSets, pods with container states, events, workload
// status and conditions, Bound claims, load balancer addresses, and garbage
// collection of owned objects. The test scripts how pods of each image behave.
//
// Reconciles on every change (from the next turn of the event loop) and every
// TICK_MS for time-driven transitions (pods becoming ready, crash loops,
// deadlines). Files: controllers/ — types, shared, pods, events, deployment,
// replicaset, statefulset, daemonset, job, scheduler, kubelet + containers, misc.
// Simplifications: no Node objects (two pretend nodes), no ControllerRevisions,
// no CronJobs, deletion is immediate (no terminating pods), the propagation
// policy is not honoured (dependents are always collected), minReadySeconds
// counts real seconds.

import type { KubeSim } from "./index.js";
import { syncDaemonSets } from "./controllers/daemonset.js";
import { syncDeployments } from "./controllers/deployment.js";
import { eventRecorder } from "./controllers/events.js";
import { syncPods } from "./controllers/kubelet.js";
import { syncJobs } from "./controllers/job.js";
import { collectGarbage, runFighters, syncClaims, syncServices } from "./controllers/misc.js";
import { syncReplicaSets } from "./controllers/replicaset.js";
import { Cache, typeKeyOf, type Cx, type Obj, type PodRuntime } from "./controllers/shared.js";
import { syncStatefulSets } from "./controllers/statefulset.js";
import type { ControllerScenario, PodBehaviour } from "./controllers/types.js";
import { deepEqual } from "./util.js";

export type { ControllerScenario, Fighter, PodBehaviour } from "./controllers/types.js";

export interface Controller {
  setScenario(s: ControllerScenario): void;
  stop(): Promise<void>;
  /** Writes the controllers could not make and exceptions they hit (for debugging a test). */
  readonly errors: string[];
}

const TICK_MS = 25;
/** Passes in a row that may follow writes at once before waiting for the next tick (a guard against write loops). */
const MAX_CASCADE = 20;

export function startController(sim: KubeSim, initial: ControllerScenario = {}): Controller {
  let scenario = initial;
  const cache = new Cache();
  for (const o of sim.list()) cache.set(o);
  const errors: string[] = [];
  const runtimes = new Map<string, PodRuntime>();
  const memo = new Map<string, unknown>();
  const record = eventRecorder(cache);
  let podIPs = 0;
  let lbIPs = 0;
  let inPass = false;
  let wrote = false;
  let gcDue = false;
  let stopped = false;
  let cascade = 0;
  let soon: NodeJS.Immediate | undefined;

  const note = (what: string, err: unknown) => {
    errors.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    if (errors.length > 200) errors.splice(0, errors.length - 200);
  };
  const describe = (o: Obj) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;

  const cx: Cx = {
    cache,
    now: Date.now(),
    readyAfterMs: 200,
    deadlineScale: 1,
    runtimes,
    memo,
    write(obj, manager, sub) {
      const live = cache.get(typeKeyOf(obj), obj.metadata.namespace ?? "", obj.metadata.name);
      if (live && (sub ? deepEqual(live.status, obj.status) : deepEqual(live, obj))) return live;
      try {
        return sim.write(obj as never, { manager, ...(sub ? { subresource: sub } : {}) });
      } catch (err) {
        note(`${manager} writing ${describe(obj)}`, err);
        return undefined;
      }
    },
    remove(obj) {
      sim.remove(obj.apiVersion, obj.kind, obj.metadata.name, obj.metadata.namespace);
    },
    event(involved, e) {
      record(cx, involved, e);
    },
    behaviourOf(image: string): PodBehaviour {
      for (const rule of scenario.images ?? []) {
        if (typeof rule.match === "string" ? image.includes(rule.match) : ((rule.match.lastIndex = 0), rule.match.test(image))) return rule.behaviour;
      }
      return "ok";
    },
    nextPodIP() {
      const n = podIPs++;
      return `10.244.${1 + (Math.floor(n / 250) % 250)}.${2 + (n % 250)}`;
    },
    nextLoadBalancerIP() {
      return `172.18.255.${200 + (lbIPs++ % 50)}`;
    },
  };

  const each = (o: Obj, fn: (o: Obj) => void) => {
    try {
      fn(o);
    } catch (err) {
      note(`reconciling ${describe(o)}`, err);
    }
  };

  function pass(): void {
    if (stopped || inPass) return;
    inPass = true;
    wrote = false;
    cx.now = Date.now();
    cx.readyAfterMs = scenario.readyAfterMs ?? 200;
    cx.deadlineScale = scenario.deadlineScale ?? 1;
    try {
      runFighters(cx, scenario.fighters ?? []);
      if (gcDue) {
        gcDue = false;
        collectGarbage(cx);
      }
      syncDeployments(cx, each);
      syncReplicaSets(cx, each);
      syncStatefulSets(cx, each);
      syncDaemonSets(cx, each);
      syncJobs(cx, each);
      syncPods(cx);
      syncClaims(cx, each);
      syncServices(cx, each);
    } catch (err) {
      note("reconcile pass", err);
    } finally {
      inPass = false;
    }
    // What this pass wrote may give the next controller work (ReplicaSet -> pods -> status).
    if (wrote && cascade++ < MAX_CASCADE) kick();
  }

  function kick(): void {
    if (!soon && !stopped) soon = setImmediate(() => {
      soon = undefined;
      pass();
    });
  }

  const unsubscribe = sim.onChange((c) => {
    if (c.type === "DELETED") {
      cache.delete(c.object);
      gcDue = true;
    } else cache.set(c.object);
    if (inPass) wrote = true;
    else if (c.object.kind !== "Event") {
      cascade = 0;
      kick();
    }
  });
  const timer = setInterval(() => {
    cascade = 0;
    pass();
  }, TICK_MS);
  timer.unref();
  kick();

  return {
    errors,
    setScenario(s) {
      scenario = s;
      kick();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (soon) clearImmediate(soon);
      unsubscribe();
    },
  };
}
