// Smoke check, not a benchmark: a large environment must plan in well under a
// second. The bound is generous so slow CI machines don't flake; the time is printed.
import { expect, it } from "vitest";
import { idKey, idOf } from "../../src/manifests/object.js";
import type { KubeObject } from "../../src/manifests/object.js";
import { buildPlan } from "../../src/diff/index.js";

function deployment(i: number, image: string): KubeObject {
  const labels = { app: `app-${i}`, team: `team-${i % 17}` };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: `app-${i}`, namespace: `ns-${i % 50}`, labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            { name: "app", image, ports: [{ containerPort: 8080 }], env: Array.from({ length: 8 }, (_, e) => ({ name: `VAR_${e}`, value: `value-${e}` })) },
          ],
        },
      },
    },
  };
}

function withServerNoise(obj: KubeObject, i: number): KubeObject {
  const copy = structuredClone(obj);
  Object.assign(copy.metadata, { uid: `uid-${i}`, resourceVersion: String(i), generation: 3, managedFields: [{ manager: "converge", operation: "Apply" }] });
  copy.metadata.annotations = { "converge.dev/revision": "old", "deployment.kubernetes.io/revision": "3" };
  copy.status = { replicas: 2, readyReplicas: 2 };
  return copy;
}

function timePlan(n: number, changedEvery: number, liveCount: number) {
  const desired = Array.from({ length: n }, (_, i) => deployment(i, i % changedEvery === 0 ? "app:2" : "app:1"));
  const live = new Map<string, KubeObject>();
  for (let i = 0; i < liveCount; i++) live.set(idKey(idOf(desired[i])), withServerNoise(deployment(i, "app:1"), i));
  const predicted = new Map(desired.map((o) => [idKey(idOf(o)), o]));
  const start = performance.now();
  const plan = buildPlan({
    environment: "bench",
    desired: desired.map((object) => ({ object, source: { file: "x.yaml" } })),
    predicted,
    live,
    inventory: [...live.values()].map(idOf),
    prune: true,
    ignore: [{ kind: "Deployment", jsonPointers: ["/spec/replicas"] }],
    errors: [],
    clientSideFallback: false,
  });
  const ms = performance.now() - start;
  console.log(`buildPlan: ${n} objects, ${JSON.stringify(plan.summary)}, in ${ms.toFixed(0)} ms`);
  return { plan, ms };
}

it("plans 5,000 objects quickly (1% changed)", () => {
  const { plan, ms } = timePlan(5000, 100, 5000);
  expect(plan.summary).toEqual({ create: 0, update: 50, delete: 0, unchanged: 4950 });
  expect(ms).toBeLessThan(5000);
});

it("plans 5,000 objects quickly (10% changed)", () => {
  const { plan, ms } = timePlan(5000, 10, 5000);
  expect(plan.summary).toEqual({ create: 0, update: 500, delete: 0, unchanged: 4500 });
  expect(ms).toBeLessThan(5000);
});

it("plans 5,000 new objects quickly (first deploy)", () => {
  const { plan, ms } = timePlan(5000, 10, 0);
  expect(plan.summary.create).toBe(5000);
  expect(ms).toBeLessThan(5000);
});
