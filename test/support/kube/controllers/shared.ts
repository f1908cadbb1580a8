// What every simulated controller shares: the informer-like cache of the
// store, the context of one reconcile pass, and small helpers (owner
// references, template hashes, conditions, selectors, names).

import { groupOf } from "../../../../src/manifests/object.js";
import { isObj, randomSuffix, rfc3339, type Obj } from "../util.js";
import type { PodBehaviour } from "./types.js";

export type { Obj };
export const DEPLOY = "apps/Deployment";
export const RS = "apps/ReplicaSet";
export const STS = "apps/StatefulSet";
export const DS = "apps/DaemonSet";
export const JOB = "batch/Job";
export const POD = "/Pod";
export const PVC = "/PersistentVolumeClaim";
export const SVC = "/Service";
export const EVENT = "/Event";

/** The pretend nodes: names, labels and addresses. */
export const NODES = [
  { name: "sim-worker", ip: "172.18.0.2" },
  { name: "sim-worker2", ip: "172.18.0.3" },
].map((n) => ({ ...n, labels: { "kubernetes.io/hostname": n.name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64" } as Record<string, string> }));

export function typeKeyOf(o: Obj): string {
  return `${groupOf(String(o.apiVersion))}/${o.kind}`;
}

/** The store as the controllers see it, kept current by the sim's change notifications. */
export class Cache {
  private byType = new Map<string, Map<string, Obj>>();
  set(o: Obj): void {
    const k = typeKeyOf(o);
    let m = this.byType.get(k);
    if (!m) this.byType.set(k, (m = new Map()));
    m.set(`${o.metadata.namespace ?? ""}/${o.metadata.name}`, o);
  }
  delete(o: Obj): void {
    this.byType.get(typeKeyOf(o))?.delete(`${o.metadata.namespace ?? ""}/${o.metadata.name}`);
  }
  get(typeKey: string, ns: string, name: string): Obj | undefined {
    return this.byType.get(typeKey)?.get(`${ns}/${name}`);
  }
  list(typeKey: string, ns?: string): Obj[] {
    const all = [...(this.byType.get(typeKey)?.values() ?? [])];
    return ns === undefined ? all : all.filter((o) => (o.metadata.namespace ?? "") === ns);
  }
  typeKeys(): string[] {
    return [...this.byType.keys()];
  }
  all(): Obj[] {
    return [...this.byType.values()].flatMap((m) => [...m.values()]);
  }
}

export interface EventSpec {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
  component: string;
  host?: string;
  fieldPath?: string;
}

export interface ContainerRecord { behaviour: PodBehaviour; since: number; base: number; restarts: number; stage?: string }
export interface PodRuntime { boundAt: number; ip: string; containers: Map<string, ContainerRecord>; readySince?: number }

/** One reconcile pass. */
export interface Cx {
  cache: Cache;
  now: number;
  readyAfterMs: number;
  deadlineScale: number;
  /** Creates or updates (skipped when nothing changed); failures are recorded, not thrown. */
  write(obj: Obj, manager: string, sub?: "status"): Obj | undefined;
  remove(obj: Obj): void;
  event(involved: Obj, e: EventSpec): void;
  behaviourOf(image: string): PodBehaviour;
  /** The kubelet's memory of the pods it runs, by pod uid. */
  runtimes: Map<string, PodRuntime>;
  /** Controllers' own memory (first-seen times, progress times...). */
  memo: Map<string, unknown>;
  nextPodIP(): string;
  nextLoadBalancerIP(): string;
}

export function int(v: unknown, fallback = 0): number {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && /^-?\d+$/.test(v)) return Number(v);
  return fallback;
}

export function ownerRef(owner: Obj): Obj {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

export function controlledBy(o: Obj, owner: Obj): boolean {
  const refs = o.metadata.ownerReferences;
  return Array.isArray(refs) && refs.some((r: Obj) => r?.controller === true && r.uid === owner.metadata.uid);
}

/** Objects of typeKey in owner's namespace that owner controls. */
export function owned(cx: Cx, typeKey: string, owner: Obj): Obj[] {
  return cx.cache.list(typeKey, owner.metadata.namespace ?? "").filter((o) => controlledBy(o, owner));
}

/** JSON with sorted keys: the same template always hashes the same. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (isObj(v)) return `{${Object.keys(v).filter((k) => v[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(",")}}`;
  return JSON.stringify(v ?? null);
}

const SAFE = "bcdfghjklmnpqrstvwxz2456789";

/** As the controllers do: FNV-32a of the template, its decimal digits mapped through rand.SafeEncodeString. */
export function templateHash(template: unknown, collisionCount?: unknown): string {
  let h = 0x811c9dc5;
  const text = canonical(template) + (collisionCount ? String(collisionCount) : "");
  for (const byte of Buffer.from(text, "utf8")) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return [...String(h >>> 0)].map((c) => SAFE[c.charCodeAt(0) % SAFE.length]).join("");
}

/** A generated name (prefix + 5 characters) not taken in the cache. */
export function uniqueName(cx: Cx, typeKey: string, ns: string, prefix: string): string {
  for (;;) {
    const name = `${prefix}-${randomSuffix(5)}`;
    if (!cx.cache.get(typeKey, ns, name)) return name;
  }
}

export function time(ms: number): string {
  return rfc3339(new Date(ms));
}

/** Parses RFC 3339 into ms (undefined when absent or invalid). */
export function parseTime(v: unknown): number | undefined {
  const t = typeof v === "string" ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? t : undefined;
}

/**
 * Sets a condition the way the controllers' SetCondition helpers do: an unchanged
 * condition (same status and reason) keeps its place and timestamps, a changed one
 * moves to the end and keeps lastTransitionTime while its status is unchanged.
 */
export function setCondition(list: Obj[] | undefined, c: Obj, now: string, opts: { update?: boolean; force?: boolean } = {}): Obj[] {
  const prev = (list ?? []).find((x) => x.type === c.type);
  if (prev && !opts.force && prev.status === c.status && prev.reason === c.reason && prev.message === c.message) return list ?? [];
  const stamped: Obj = { type: c.type, status: c.status };
  if (opts.update) stamped.lastUpdateTime = now;
  stamped.lastTransitionTime = prev && prev.status === c.status ? prev.lastTransitionTime : now;
  if (c.reason) stamped.reason = c.reason;
  if (c.message) stamped.message = c.message;
  return [...(list ?? []).filter((x) => x.type !== c.type), stamped];
}

/** Pod and Job conditions carry lastProbeTime (null when never probed). */
export function probed(c: Obj): Obj {
  return { ...c, lastProbeTime: c.lastProbeTime ?? null };
}

/** Removes keys whose value is 0 (Go's omitempty), except those named. */
export function omitZero(o: Obj, keep: string[] = []): Obj {
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && (v !== 0 || keep.includes(k))));
}

/** An IntOrString (count or percentage) against a total, as intstr.GetScaledValueFromIntOrPercent. */
export function scaled(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === "string" && v.endsWith("%")) {
    const x = (Number(v.slice(0, -1)) * total) / 100;
    return roundUp ? Math.ceil(x) : Math.floor(x);
  }
  return int(v);
}

/** matchLabels and matchExpressions against labels. */
export function selects(selector: Obj | undefined, labels: Record<string, string> | undefined): boolean {
  if (!isObj(selector)) return false;
  const l = labels ?? {};
  const ml = isObj(selector.matchLabels) ? selector.matchLabels : {};
  if (!Object.entries(ml).every(([k, v]) => l[k] === v)) return false;
  for (const e of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    const has = e.key in l;
    const vals: string[] = e.values ?? [];
    const ok = e.operator === "In" ? has && vals.includes(l[e.key]) : e.operator === "NotIn" ? !has || !vals.includes(l[e.key]) : e.operator === "Exists" ? has : !has;
    if (!ok) return false;
  }
  return true;
}
