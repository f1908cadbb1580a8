// The smaller actors: the volume binder (claims Bound after readyAfterMs), the
// cloud's service controller (LoadBalancer addresses after readyAfterMs), the
// garbage collector (objects whose owners are all gone are deleted, which
// cascades Deployment -> ReplicaSets -> Pods), and the scripted "fighters"
// that keep resetting a field the way an HPA or a hand edit would.

import { PVC, SVC, type Cx, type Obj } from "./shared.js";
import { deepEqual } from "../util.js";
import type { Fighter } from "./types.js";

const MANAGER = "kube-controller-manager";

function firstSeen(cx: Cx, o: Obj, what: string): number {
  const key = `${what}/${o.metadata.uid}`;
  let t = cx.memo.get(key) as number | undefined;
  if (t === undefined) cx.memo.set(key, (t = cx.now));
  return t;
}

export function syncClaims(cx: Cx, each: (o: Obj, fn: (o: Obj) => void) => void): void {
  for (const pvc of cx.cache.list(PVC)) {
    each(pvc, () => {
      const storage = pvc.spec?.resources?.requests?.storage ?? "1Gi";
      const bound = pvc.status?.phase === "Bound";
      if (!bound && cx.now - firstSeen(cx, pvc, "pvc") < cx.readyAfterMs) return;
      let claim = pvc;
      if (!pvc.spec?.volumeName) {
        const annotations = {
          ...pvc.metadata.annotations,
          "pv.kubernetes.io/bind-completed": "yes",
          "pv.kubernetes.io/bound-by-controller": "yes",
          "volume.beta.kubernetes.io/storage-provisioner": "rancher.io/local-path",
          "volume.kubernetes.io/storage-provisioner": "rancher.io/local-path",
        };
        claim = cx.write({ ...pvc, metadata: { ...pvc.metadata, annotations }, spec: { ...pvc.spec, volumeName: `pvc-${pvc.metadata.uid}` } }, MANAGER) ?? pvc;
      }
      const status = { phase: "Bound", accessModes: claim.spec?.accessModes ?? ["ReadWriteOnce"], capacity: { storage } };
      cx.write({ ...claim, status }, MANAGER, "status");
    });
  }
}

export function syncServices(cx: Cx, each: (o: Obj, fn: (o: Obj) => void) => void): void {
  for (const svc of cx.cache.list(SVC)) {
    each(svc, () => {
      const ingress = svc.status?.loadBalancer?.ingress;
      if (svc.spec?.type !== "LoadBalancer") {
        if (ingress) cx.write({ ...svc, status: { ...svc.status, loadBalancer: {} } }, "service-controller", "status");
        return;
      }
      if (ingress?.length || cx.now - firstSeen(cx, svc, "lb") < cx.readyAfterMs) return;
      const ip = cx.nextLoadBalancerIP();
      const done = cx.write({ ...svc, status: { ...svc.status, loadBalancer: { ingress: [{ ip, ipMode: "VIP" }] } } }, "service-controller", "status");
      if (done) cx.event(svc, { type: "Normal", reason: "EnsuredLoadBalancer", message: "Ensured load balancer", component: "service-controller" });
    });
  }
}

/** Deletes every object that has owner references and none of whose owners exist any more, until none is left. */
export function collectGarbage(cx: Cx): void {
  const all = cx.cache.all();
  const uids = new Set(all.map((o) => o.metadata.uid));
  let orphans = all.filter((o) => Array.isArray(o.metadata.ownerReferences) && o.metadata.ownerReferences.length > 0);
  for (let changed = true; changed; ) {
    changed = false;
    const left: Obj[] = [];
    for (const o of orphans) {
      if (o.metadata.ownerReferences.some((r: Obj) => uids.has(r?.uid))) left.push(o);
      else {
        cx.remove(o);
        uids.delete(o.metadata.uid);
        changed = true;
      }
    }
    orphans = left;
  }
}

function getPath(o: unknown, path: string[]): unknown {
  return path.reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Obj)[k] : undefined), o);
}

function setPath(o: Obj, path: string[], value: unknown): void {
  let cur = o;
  for (const k of path.slice(0, -1)) cur = cur[k] && typeof cur[k] === "object" ? cur[k] : (cur[k] = {});
  cur[path[path.length - 1]] = structuredClone(value);
}

export function runFighters(cx: Cx, fighters: Fighter[]): void {
  fighters.forEach((f, i) => {
    const key = `fighter/${i}`;
    const last = cx.memo.get(key) as number | undefined;
    if (last !== undefined && cx.now - last < f.everyMs) return;
    cx.memo.set(key, cx.now);
    const typeKey = cx.cache.typeKeys().find((k) => k.slice(k.indexOf("/") + 1) === f.kind);
    const live = typeKey && cx.cache.get(typeKey, f.namespace, f.name);
    if (!live || deepEqual(getPath(live, f.path), f.value)) return;
    const next = structuredClone(live);
    setPath(next, f.path, f.value);
    cx.write(next, "hpa-fighter", f.path[0] === "status" ? "status" : undefined);
  });
}
