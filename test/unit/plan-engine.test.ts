// planEnvironment's decisions that need a server: fallbacks, same-plan
// dependencies (CRD → custom object, Namespace → its objects), refusals.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKubeSim, type KubeSim } from "../support/kube/index.js";
import { clientFor } from "../support/deploy.js";
import { writeTree } from "../support/workspace.js";
import { planEnvironment } from "../../src/engine/plan.js";
import { applyPlanned } from "../../src/engine/apply.js";
import { parseConfig } from "../../src/config/index.js";
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

const CONFIG = "environments:\n  prod:\n    path: deploy\n    cluster: sim\n    namespace: apps\n";

async function plan(files: Record<string, string>, authorize?: (ns: string[], cs: boolean) => string | undefined) {
  const tree = await writeTree({ ".github/converge.yml": CONFIG, ...files });
  try {
    const env = parseConfig(CONFIG).environments[0]!;
    return await planEnvironment({ env, root: tree.root, repository: "acme/engine", revision: "a".repeat(40), client, authorize });
  } finally {
    await tree.dispose();
  }
}

const NS = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n";
const CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n";
const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: { plural: widgets, singular: widget, kind: Widget, listKind: WidgetList }
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true }
`;
const WIDGET = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  size: 3\n";

describe("planEnvironment", () => {
  it("plans objects in a namespace the same plan creates (predicted client-side)", async () => {
    const p = await plan({ "deploy/ns.yaml": NS, "deploy/cm.yaml": CM });
    expect(p.plan.errors).toEqual([]);
    expect(p.plan.summary).toMatchObject({ create: 2 });
    expect(p.plan.changes.map((c) => c.id.kind)).toEqual(["Namespace", "ConfigMap"]);
  });

  it("plans a custom object whose CRD the same plan creates, and errors on a kind nobody defines", async () => {
    const p = await plan({ "deploy/ns.yaml": NS, "deploy/crd.yaml": CRD, "deploy/widget.yaml": WIDGET, "deploy/gadget.yaml": "apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g\n" });
    expect(p.plan.changes.filter((c) => c.action === "create").map((c) => c.id.kind).sort()).toEqual(["CustomResourceDefinition", "Namespace", "Widget"]);
    expect(p.plan.errors).toEqual([expect.objectContaining({ reason: "UnknownKind", file: "deploy/gadget.yaml", line: 1 })]);
  });

  it("applies a CRD, waits until it is Established, then applies its custom object", async () => {
    const tree = await writeTree({ ".github/converge.yml": CONFIG, "deploy/ns.yaml": NS, "deploy/crd.yaml": CRD, "deploy/widget.yaml": WIDGET });
    try {
      const env = parseConfig(CONFIG).environments[0]!;
      const planned = await planEnvironment({ env, root: tree.root, repository: "acme/crd", revision: "b".repeat(40), client });
      const result = await applyPlanned(client, planned, { force: false, prune: true, repository: "acme/crd", environment: "prod", revision: "b".repeat(40) });
      expect(result.failed).toEqual([]);
      expect(sim.get("example.com/v1", "Widget", "w1", "apps")?.metadata.annotations?.["converge.dev/revision"]).toBe("b".repeat(40));
      // Kinds in dependency order: the CRD and Namespace before the Widget.
      const applies = sim.requests.filter((r) => r.method === "PATCH" && r.query.dryRun !== "All").map((r) => r.path);
      expect(applies.findIndex((p) => p.includes("customresourcedefinitions"))).toBeLessThan(applies.findIndex((p) => p.includes("/widgets/")));
    } finally {
      await tree.dispose();
    }
  });

  it("falls back to a client-side comparison when dry-run is forbidden, and says so", async () => {
    sim.put({ apiVersion: "v1", kind: "Namespace", metadata: { name: "apps" } });
    sim.intercept((r) => (r.method === "PATCH" && r.query.dryRun === "All" ? { status: 403, body: { kind: "Status", apiVersion: "v1", status: "Failure", reason: "Forbidden", code: 403, message: "dry-run is forbidden" } } : undefined));
    try {
      const p = await plan({ "deploy/ns.yaml": NS, "deploy/cm.yaml": CM });
      expect(p.plan.clientSideFallback).toBe(true);
      expect(p.plan.errors).toEqual([]);
      expect(p.plan.changes.find((c) => c.id.kind === "ConfigMap")?.action).toBe("create");
    } finally {
      sim.intercept(undefined);
    }
  });

  it("reads no object when the registry refuses a namespace", async () => {
    sim.resetRequests();
    const p = await plan({ "deploy/cm.yaml": CM }, (namespaces) => (namespaces.includes("apps") ? 'cluster "sim" does not allow namespace "apps"' : undefined));
    expect(p.plan.errors).toEqual([expect.objectContaining({ reason: "ClusterNotAllowed" })]);
    // Only discovery (API metadata) was asked; no object was read or dry-run.
    expect(sim.requests.filter((r) => !/^\/apis?(\/[^/]+){0,2}$/.test(r.path))).toEqual([]);
  });
});
