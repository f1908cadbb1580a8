// One deployer per environment across Converge replicas: a
// coordination.k8s.io/v1 Lease, taken and renewed with optimistic concurrency
// (resourceVersion), the same protocol as client-go's leader election. A
// holder that crashes stops renewing and its lease expires after
// leaseDurationSeconds; nobody else is ever told to "break" a lock.
import type { KubeClient } from "./client.js";
import { KubeApiError, isNotFound } from "./errors.js";

export interface LeaseOptions {
  namespace: string;
  name: string;
  identity: string;
  durationSeconds?: number; // default 30
  /** Give up waiting for another holder after this long (default: duration × 4). */
  waitMs?: number;
  signal?: AbortSignal;
}

export interface LeaseHandle {
  /** Aborted if the lease is lost (renewal failed or someone else holds it). */
  lost: AbortSignal;
  /**
   * The lease still named a holder when we took it: that holder (another
   * replica whose lease expired, or this identity before a restart) stopped
   * without releasing it — a crash, possibly in the middle of a deploy.
   */
  takenOver: boolean;
  release(): Promise<void>;
}

interface Lease {
  apiVersion: "coordination.k8s.io/v1";
  kind: "Lease";
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: { holderIdentity?: string | null; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}

const path = (ns: string, name?: string) => `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(ns)}/leases${name ? `/${encodeURIComponent(name)}` : ""}`;

/** MicroTime as the API server writes it. */
function microTime(d = new Date()): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export function leaseExpired(lease: Lease, now = Date.now()): boolean {
  const holder = lease.spec?.holderIdentity;
  if (!holder) return true;
  const renew = Date.parse(lease.spec?.renewTime ?? lease.spec?.acquireTime ?? "");
  const duration = (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
  return !Number.isFinite(renew) || renew + duration < now;
}

/** Takes the lease, waiting for a live holder to release or expire; undefined when waitMs passes first. */
export async function acquireLease(client: KubeClient, opts: LeaseOptions): Promise<LeaseHandle | undefined> {
  const duration = opts.durationSeconds ?? 30;
  const deadline = Date.now() + (opts.waitMs ?? duration * 4000);
  let transient = 0;
  for (let delay = 200; ; delay = Math.min(delay * 2, 2_000)) {
    if (opts.signal?.aborted) return undefined;
    const taken = await tryTake(client, opts, duration);
    if (taken instanceof KubeApiError) {
      // A write the server refused or lost (5xx, 429, connection): try again a few times, then it is an outage.
      if (++transient >= 5) throw taken;
    } else if (taken) return hold(client, taken.lease, opts, duration, taken.takenOver);
    else transient = 0;
    if (Date.now() + delay > deadline) return undefined;
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** The lease taken; undefined when someone else holds it; a KubeApiError when the write failed transiently. */
async function tryTake(client: KubeClient, opts: LeaseOptions, duration: number): Promise<{ lease: Lease; takenOver: boolean } | KubeApiError | undefined> {
  const now = microTime();
  let current: Lease | undefined;
  try {
    current = await client.request<Lease>("GET", path(opts.namespace, opts.name));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  try {
    if (!current) {
      const fresh: Lease = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: opts.name, namespace: opts.namespace }, spec: { holderIdentity: opts.identity, leaseDurationSeconds: duration, acquireTime: now, renewTime: now, leaseTransitions: 0 } };
      return { lease: await client.request<Lease>("POST", path(opts.namespace), { body: fresh, retry: false }), takenOver: false };
    }
    const mine = current.spec?.holderIdentity === opts.identity;
    if (!mine && !leaseExpired(current)) return undefined;
    const spec = { ...current.spec, holderIdentity: opts.identity, leaseDurationSeconds: duration, renewTime: now, ...(mine ? {} : { acquireTime: now, leaseTransitions: (current.spec?.leaseTransitions ?? 0) + 1 }) };
    const lease = await client.request<Lease>("PUT", path(opts.namespace, opts.name), { body: { ...current, spec }, retry: false });
    return { lease, takenOver: !!current.spec?.holderIdentity };
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 409) return undefined; // someone else got there first
    // A refused or lost write (5xx, 429, connection) is not a verdict either: the caller tries again.
    if (err instanceof KubeApiError && (err.status === 0 || err.status === 429 || err.status >= 500)) return err;
    throw err;
  }
}

function hold(client: KubeClient, lease: Lease, opts: LeaseOptions, duration: number, takenOver: boolean): LeaseHandle {
  const lost = new AbortController();
  let current = lease;
  let released = false;
  // The renewal in flight, so release() can wait for it: a release sent with
  // the resourceVersion a renewal is about to replace would get a 409 and
  // leave the lease held until it expires.
  let renewing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    if (released) return;
    renewing = (async () => {
      try {
        current = await client.request<Lease>("PUT", path(opts.namespace, opts.name), { body: { ...current, spec: { ...current.spec, renewTime: microTime() } }, retry: false });
      } catch {
        // A failed renewal is not yet a lost lease; it is lost once it would have expired.
        if (leaseExpired(current)) {
          lost.abort(new Error(`lease ${opts.namespace}/${opts.name} lost`));
          clearInterval(timer);
        }
      }
    })();
  }, Math.max(200, (duration * 1000) / 3));
  timer.unref?.();
  const clear = (l: Lease) => client.request<Lease>("PUT", path(opts.namespace, opts.name), { body: { ...l, spec: { ...l.spec, holderIdentity: null, leaseDurationSeconds: 1 } }, retry: false });
  return {
    lost: lost.signal,
    takenOver,
    async release() {
      released = true;
      clearInterval(timer);
      await renewing;
      try {
        await clear(current);
      } catch (err) {
        // Stale version (a write we did not see): re-read, and release only if it is still ours.
        if (!(err instanceof KubeApiError && err.status === 409)) return; // not fatal: the lease expires on its own
        try {
          const fresh = await client.request<Lease>("GET", path(opts.namespace, opts.name));
          if (fresh.spec?.holderIdentity === opts.identity) await clear(fresh);
        } catch {
          // Not fatal either.
        }
      }
    },
  };
}
