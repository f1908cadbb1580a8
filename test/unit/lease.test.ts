import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKubeSim, type KubeSim } from "../support/kube/index.js";
import { clientFor } from "../support/deploy.js";
import { acquireLease } from "../../src/cluster/lease.js";
import type { KubeClient } from "../../src/cluster/client.js";

let sim: KubeSim;
let client: KubeClient;

beforeAll(async () => {
  sim = await startKubeSim();
  client = clientFor(sim.kubeconfig());
});

afterAll(async () => {
  client?.close();
  await sim?.close();
});

describe("Lease", () => {
  it("admits one holder at a time and hands over on release", async () => {
    const a = await acquireLease(client, { namespace: "default", name: "env-a", identity: "a", durationSeconds: 5 });
    expect(a).toBeDefined();
    const b = await acquireLease(client, { namespace: "default", name: "env-a", identity: "b", durationSeconds: 5, waitMs: 300 });
    expect(b).toBeUndefined();
    const waiting = acquireLease(client, { namespace: "default", name: "env-a", identity: "b", durationSeconds: 5, waitMs: 5_000 });
    await a!.release();
    const got = await waiting;
    expect(got).toBeDefined();
    expect((sim.get("coordination.k8s.io/v1", "Lease", "env-a", "default")!.spec as { holderIdentity: string }).holderIdentity).toBe("b");
    await got!.release();
  });

  it("takes over a crashed holder's lease once it expired", async () => {
    // A holder that stopped renewing (crashed) 10 s ago with a 1 s lease.
    const past = new Date(Date.now() - 10_000).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
    sim.put({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "env-b", namespace: "default" }, spec: { holderIdentity: "crashed", leaseDurationSeconds: 1, acquireTime: past, renewTime: past } });
    const lease = await acquireLease(client, { namespace: "default", name: "env-b", identity: "new", durationSeconds: 5, waitMs: 1_000 });
    expect(lease).toBeDefined();
    const spec = sim.get("coordination.k8s.io/v1", "Lease", "env-b", "default")!.spec as { holderIdentity: string; leaseTransitions: number };
    expect(spec.holderIdentity).toBe("new");
    expect(spec.leaseTransitions).toBe(1);
    await lease!.release();
  });

  it("renews while held so a long deploy keeps it", async () => {
    const lease = await acquireLease(client, { namespace: "default", name: "env-c", identity: "long", durationSeconds: 1 });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(lease!.lost.aborted).toBe(false);
    const other = await acquireLease(client, { namespace: "default", name: "env-c", identity: "other", durationSeconds: 1, waitMs: 200 });
    expect(other).toBeUndefined();
    await lease!.release();
  });
});

describe("Lease release", () => {
  it("releases even when a renewal is in flight (no 409 left holding the lease)", async () => {
    // 150 ms per request and a 1 s lease (renewal every 333 ms): releasing at
    // 350 ms overlaps the first renewal, which bumps the resourceVersion.
    const slow = await startKubeSim({ latencyMs: 150 });
    const c = clientFor(slow.kubeconfig());
    try {
      const lease = await acquireLease(c, { namespace: "default", name: "env-race", identity: "racer", durationSeconds: 1 });
      await new Promise((r) => setTimeout(r, 350));
      await lease!.release();
      const spec = slow.get("coordination.k8s.io/v1", "Lease", "env-race", "default")!.spec as { holderIdentity?: string | null };
      expect(spec.holderIdentity ?? null).toBeNull();
      // And the same replica takes it again as a fresh holder, not as a crash takeover.
      const again = await acquireLease(c, { namespace: "default", name: "env-race", identity: "racer", durationSeconds: 1, waitMs: 500 });
      expect(again?.takenOver).toBe(false);
      await again!.release();
    } finally {
      c.close();
      await slow.close();
    }
  });
});
