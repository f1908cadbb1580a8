// The object store: Maps keyed by group/kind -> namespace -> name, one global
// resourceVersion counter, and a bounded event history for watches.
// Stored objects are never mutated in place: every write stores a new object.

import type { Obj } from "./util.js";

export type EventType = "ADDED" | "MODIFIED" | "DELETED";
export interface StoreEvent { type: EventType; rv: number; typeKey: string; ns: string; obj: Obj; old?: Obj }

export class Store {
  private rv = 100;
  private byType = new Map<string, Map<string, Map<string, Obj>>>();
  readonly history: StoreEvent[] = [];
  private truncated = false;
  private listeners = new Set<(e: StoreEvent) => void>();

  constructor(private readonly historyLimit = 1000) {}

  currentRv(): number {
    return this.rv;
  }

  onEvent(fn: (e: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get(typeKey: string, ns: string, name: string): Obj | undefined {
    return this.byType.get(typeKey)?.get(ns)?.get(name);
  }

  /** Objects of one type, in one namespace or (ns undefined) all of them. Unsorted. */
  list(typeKey: string, ns?: string): Obj[] {
    const byNs = this.byType.get(typeKey);
    if (!byNs) return [];
    if (ns !== undefined) return [...(byNs.get(ns)?.values() ?? [])];
    const out: Obj[] = [];
    for (const m of byNs.values()) for (const o of m.values()) out.push(o);
    return out;
  }

  typeKeys(): string[] {
    return [...this.byType.keys()];
  }

  /** Stores obj (taking ownership of it) with a new resourceVersion. */
  write(typeKey: string, obj: Obj): Obj {
    const ns = String(obj.metadata.namespace ?? "");
    const name = String(obj.metadata.name);
    let byNs = this.byType.get(typeKey);
    if (!byNs) this.byType.set(typeKey, (byNs = new Map()));
    let byName = byNs.get(ns);
    if (!byName) byNs.set(ns, (byName = new Map()));
    const old = byName.get(name);
    obj.metadata.resourceVersion = String(++this.rv);
    byName.set(name, obj);
    this.emit({ type: old ? "MODIFIED" : "ADDED", rv: this.rv, typeKey, ns, obj, ...(old ? { old } : {}) });
    return obj;
  }

  remove(typeKey: string, ns: string, name: string): Obj | undefined {
    const byName = this.byType.get(typeKey)?.get(ns);
    const old = byName?.get(name);
    if (!byName || !old) return undefined;
    byName.delete(name);
    // The DELETED event carries the object at the resourceVersion of the deletion, as etcd3 watches do.
    const gone = { ...old, metadata: { ...old.metadata, resourceVersion: String(++this.rv) } };
    this.emit({ type: "DELETED", rv: this.rv, typeKey, ns, obj: gone });
    return gone;
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length > this.historyLimit) {
      this.history.splice(0, this.history.length - this.historyLimit);
      this.truncated = true;
    }
    for (const fn of this.listeners) fn(e);
  }

  /** The oldest resourceVersion a watch can resume from, or undefined when nothing was ever dropped. */
  oldestResumable(): number | undefined {
    if (!this.truncated) return undefined;
    return this.history[0].rv - 1;
  }

  eventsSince(rv: number): StoreEvent[] {
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.history[mid].rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }
}
