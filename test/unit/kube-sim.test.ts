// The simulated API server, exercised the way the app talks to a real one:
// through @kubernetes/client-node and raw node-fetch with kc.applyToFetchOptions.

import { request as httpsRequest, Agent } from "node:https";
import * as k8s from "@kubernetes/client-node";
import fetch from "node-fetch";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKubeSim, type KubeSim } from "../support/kube/index.js";

let sim: KubeSim;
let kc: k8s.KubeConfig;
let objects: k8s.KubernetesObjectApi;
let core: k8s.CoreV1Api;

beforeAll(async () => {
  sim = await startKubeSim();
  kc = new k8s.KubeConfig();
  kc.loadFromString(sim.kubeconfig());
  objects = k8s.KubernetesObjectApi.makeApiClient(kc);
  core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: "shop" } } });
});
afterAll(() => sim?.close());

interface Raw { status: number; body: any; headers: { get(name: string): string | null } }

async function raw(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<Raw> {
  const init = await kc.applyToFetchOptions({});
  const headers = init.headers as any;
  if (body !== undefined) headers.set("Content-Type", contentType);
  const res = await fetch(sim.url + path, { ...init, method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

const DEPLOY = "/apis/apps/v1/namespaces/shop/deployments";

function deployment(extra: Record<string, unknown> = {}, image = "nginx:1.25"): Record<string, any> {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "shop", labels: { app: "web", team: "a" } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image, ports: [{ containerPort: 80 }] }] } },
      ...extra,
    },
  };
}

/** Server-side apply with the manifest sent verbatim as YAML. */
function apply(path: string, manifest: unknown, query = "fieldManager=converge"): Promise<Raw> {
  return raw("PATCH", `${path}?${query}`, stringify(manifest), "application/apply-patch+yaml");
}

async function apiError(p: Promise<unknown>): Promise<{ code: number; body: any }> {
  try {
    await p;
  } catch (err) {
    const e = err as k8s.ApiException<string>;
    return { code: e.code, body: typeof e.body === "string" ? JSON.parse(e.body) : e.body };
  }
  throw new Error("expected the call to fail");
}

describe("kube-sim", () => {
  it("serves discovery like the real API server", async () => {
    const api = await raw("GET", "/api");
    expect(api.body).toMatchObject({ kind: "APIVersions", versions: ["v1"] });
    const groups = await raw("GET", "/apis");
    expect(groups.body.kind).toBe("APIGroupList");
    expect(groups.body.groups.map((g: any) => g.name)).toEqual(expect.arrayContaining(["apps", "batch", "rbac.authorization.k8s.io", "apiextensions.k8s.io"]));
    const apps = await raw("GET", "/apis/apps/v1");
    expect(apps.body).toMatchObject({ kind: "APIResourceList", apiVersion: "v1", groupVersion: "apps/v1" });
    expect(apps.body.resources).toContainEqual(expect.objectContaining({ name: "deployments", singularName: "deployment", namespaced: true, kind: "Deployment", verbs: expect.arrayContaining(["patch", "watch"]) }));
    expect(apps.body.resources).toContainEqual(expect.objectContaining({ name: "deployments/status", kind: "Deployment" }));
    const v1 = await raw("GET", "/api/v1");
    expect(v1.body.groupVersion).toBe("v1");
    expect(v1.body.resources.find((r: any) => r.name === "namespaces").namespaced).toBe(false);
  });

  it("creates, gets and lists through client-node with label selectors and pagination", async () => {
    for (const [name, labels] of [["a", { tier: "web", env: "prod" }], ["b", { tier: "web", env: "dev" }], ["c", { tier: "db", env: "staging" }], ["d", {}]] as const) {
      await core.createNamespacedConfigMap({ namespace: "shop", body: { metadata: { name: `cm-${name}`, labels }, data: { k: name } } });
    }
    const got = await core.readNamespacedConfigMap({ name: "cm-a", namespace: "shop" });
    expect(got.data).toEqual({ k: "a" });
    expect(got.metadata?.resourceVersion).toMatch(/^\d+$/);
    const names = async (labelSelector: string) => (await core.listNamespacedConfigMap({ namespace: "shop", labelSelector })).items.map((i) => i.metadata?.name);
    expect(await names("tier=web")).toEqual(["cm-a", "cm-b"]);
    expect(await names("tier=web,env in (prod,staging)")).toEqual(["cm-a"]);
    expect(await names("tier!=web")).toEqual(["cm-c", "cm-d"]);
    expect(await names("!tier")).toEqual(["cm-d"]);
    expect(await names("env notin (dev),tier")).toEqual(["cm-a", "cm-c"]);

    const byField = await objects.list("v1", "ConfigMap", undefined, undefined, undefined, undefined, "metadata.name=cm-b");
    expect(byField.items.map((i) => i.metadata?.namespace + "/" + i.metadata?.name)).toEqual(["shop/cm-b"]);

    const page1 = await raw("GET", "/api/v1/namespaces/shop/configmaps?limit=3");
    expect(page1.body).toMatchObject({ kind: "ConfigMapList", apiVersion: "v1", metadata: { remainingItemCount: 1 } });
    expect(page1.body.items[0].kind).toBeUndefined(); // list items carry no apiVersion/kind
    const page2 = await raw("GET", `/api/v1/namespaces/shop/configmaps?limit=3&continue=${page1.body.metadata.continue}`);
    expect(page2.body.items.map((i: any) => i.metadata.name)).toEqual(["cm-d"]);

    const dup = await apiError(core.createNamespacedConfigMap({ namespace: "shop", body: { metadata: { name: "cm-a" } } }));
    expect(dup).toMatchObject({ code: 409, body: { reason: "AlreadyExists", message: 'configmaps "cm-a" already exists' } });
    const noNs = await apiError(core.createNamespacedConfigMap({ namespace: "nope", body: { metadata: { name: "x" } } }));
    expect(noNs).toMatchObject({ code: 404, body: { kind: "Status", status: "Failure", reason: "NotFound", message: 'namespaces "nope" not found' } });
    const noName = await raw("POST", "/api/v1/namespaces/shop/configmaps", { metadata: {} });
    expect(noName).toMatchObject({ status: 422, body: { reason: "Invalid", message: 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required' } });
  });

  it("applies server-side: creates, updates, prunes, defaults and tracks managedFields", async () => {
    const created = await apply(`${DEPLOY}/web`, deployment());
    expect(created.status).toBe(201);
    expect(created.body.spec).toMatchObject({ replicas: 2, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } } });
    expect(created.body.spec.template.spec.containers[0]).toMatchObject({ imagePullPolicy: "IfNotPresent", terminationMessagePath: "/dev/termination-log", ports: [{ containerPort: 80, protocol: "TCP" }] });
    expect(created.body.metadata).toMatchObject({ generation: 1, uid: expect.any(String), creationTimestamp: expect.any(String) });
    const [entry] = created.body.metadata.managedFields;
    expect(entry).toMatchObject({ manager: "converge", operation: "Apply", apiVersion: "apps/v1", fieldsType: "FieldsV1" });
    expect(entry.fieldsV1["f:spec"]["f:replicas"]).toEqual({});
    expect(entry.fieldsV1["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"web"}']).toMatchObject({ ".": {}, "f:image": {}, "f:name": {} });
    expect(entry.fieldsV1["f:spec"]["f:revisionHistoryLimit"]).toBeUndefined(); // defaults are nobody's

    const same = await apply(`${DEPLOY}/web`, deployment());
    expect(same.status).toBe(200);
    expect(same.body.metadata.resourceVersion).toBe(created.body.metadata.resourceVersion); // a no-op apply writes nothing

    const m = deployment({}, "nginx:latest");
    delete m.metadata.labels.team;
    const updated = await apply(`${DEPLOY}/web`, m);
    expect(updated.status).toBe(200);
    expect(updated.body.metadata.labels).toEqual({ app: "web" }); // given up by its only owner: removed
    expect(updated.body.metadata.generation).toBe(2);
    expect(updated.body.spec.template.spec.containers[0]).toMatchObject({ image: "nginx:latest", imagePullPolicy: "IfNotPresent" });

    const viaClient = await objects.patch(deployment({ replicas: 3 }) as k8s.KubernetesObject, undefined, undefined, "converge", undefined, k8s.PatchStrategy.ServerSideApply);
    expect((viaClient as any).spec.replicas).toBe(3);

    const noManager = await raw("PATCH", `${DEPLOY}/web`, stringify(deployment()), "application/apply-patch+yaml");
    expect(noManager).toMatchObject({ status: 422, body: { message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch' } });
    const wrongName = await apply(`${DEPLOY}/other`, deployment());
    expect(wrongName).toMatchObject({ status: 400, body: { reason: "BadRequest", message: "the name of the object (web) does not match the name on the URL (other)" } });
    const noNs = await apply("/apis/apps/v1/namespaces/ghost/deployments/web", { ...deployment(), metadata: { name: "web", namespace: "ghost" } });
    expect(noNs).toMatchObject({ status: 404, body: { message: 'namespaces "ghost" not found' } });
  });

  it("dry-run returns what would be stored without storing it", async () => {
    const before = await raw("GET", `${DEPLOY}/web`);
    const dry = await apply(`${DEPLOY}/web`, deployment({ replicas: 7 }), "fieldManager=converge&dryRun=All");
    expect(dry.status).toBe(200);
    expect(dry.body.spec.replicas).toBe(7);
    expect(dry.body.metadata.resourceVersion).toBe(before.body.metadata.resourceVersion);
    expect((await raw("GET", `${DEPLOY}/web`)).body.spec.replicas).toBe(before.body.spec.replicas);

    const dryCreate = await apply("/api/v1/namespaces/shop/services/api", { apiVersion: "v1", kind: "Service", metadata: { name: "api" }, spec: { selector: { app: "api" }, ports: [{ port: 80 }] } }, "fieldManager=converge&dryRun=All");
    expect(dryCreate.status).toBe(201);
    expect(dryCreate.body.metadata.resourceVersion).toBeUndefined();
    expect(dryCreate.body.spec).toMatchObject({ type: "ClusterIP", sessionAffinity: "None", clusterIP: expect.stringMatching(/^10\.96\./), ports: [{ port: 80, targetPort: 80, protocol: "TCP" }] });
    expect(sim.get("v1", "Service", "api", "shop")).toBeUndefined();
  });

  it("rejects unknown fields like the real server", async () => {
    const typo = await apply(`${DEPLOY}/web`, deployment({ replica: 3 }), "fieldManager=converge&fieldValidation=Strict");
    expect(typo.status).toBe(500);
    expect(typo.body).toMatchObject({ kind: "Status", status: "Failure", code: 500 });
    expect(typo.body.message).toBe("failed to create typed patch object (shop/web; apps/v1, Kind=Deployment): .spec.replica: field not declared in schema");

    const strict = await raw("POST", `${DEPLOY}?fieldValidation=Strict`, { ...deployment({ replica: 3 }), metadata: { name: "web2" } });
    expect(strict).toMatchObject({ status: 400, body: { reason: "BadRequest", message: 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica"' } });
    const warn = await raw("POST", DEPLOY, { ...deployment({ replica: 3 }), metadata: { name: "web2" } });
    expect(warn.status).toBe(201);
    expect(warn.headers.get("warning")).toBe('299 - "unknown field \\"spec.replica\\""');
    expect(warn.body.spec.replica).toBeUndefined();
  });

  it("reports conflicts with another manager, and force takes the field over", async () => {
    const edited = await raw("PATCH", `${DEPLOY}/web?fieldManager=kubectl-edit`, { spec: { replicas: 5 } }, "application/merge-patch+json");
    expect(edited.status).toBe(200);
    const conflict = await apply(`${DEPLOY}/web`, deployment({ replicas: 2 }));
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ kind: "Status", reason: "Conflict", code: 409, details: { causes: [{ reason: "FieldManagerConflict", field: ".spec.replicas" }] } });
    expect(conflict.body.message).toMatch(/^Apply failed with 1 conflict: conflict with "kubectl-edit" using apps\/v1 at \d{4}-\d\d-\d\dT[\d:]+Z: \.spec\.replicas$/);

    const forced = await apply(`${DEPLOY}/web`, deployment({ replicas: 2 }), "fieldManager=converge&force=true");
    expect(forced.status).toBe(200);
    expect(forced.body.spec.replicas).toBe(2);
    const edit = forced.body.metadata.managedFields.find((e: any) => e.manager === "kubectl-edit");
    expect(edit?.fieldsV1?.["f:spec"]?.["f:replicas"]).toBeUndefined();

    // An object nobody manages yet (seeded directly): its fields belong to "before-first-apply".
    sim.put({ ...deployment({ replicas: 5 }), metadata: { name: "legacy", namespace: "shop", labels: { app: "web" } } } as any);
    const legacy = await apply(`${DEPLOY}/legacy`, { ...deployment(), metadata: { name: "legacy", namespace: "shop" } });
    expect(legacy.status).toBe(409);
    expect(legacy.body.message).toMatch(/^Apply failed with 1 conflict: conflict with "before-first-apply" using apps\/v1 at \S+: \.spec\.replicas$/);
  });

  it("patches with strategic merge and JSON patch, and guards immutable fields", async () => {
    const smp = await raw("PATCH", `${DEPLOY}/web`, { spec: { template: { spec: { containers: [{ name: "sidecar", image: "busybox" }] } } } }, "application/strategic-merge-patch+json");
    expect(smp.body.spec.template.spec.containers.map((c: any) => c.name)).toEqual(["web", "sidecar"]);
    const jp = await raw("PATCH", `${DEPLOY}/web`, [{ op: "remove", path: "/spec/template/spec/containers/1" }, { op: "replace", path: "/spec/replicas", value: 4 }], "application/json-patch+json");
    expect(jp.body.spec).toMatchObject({ replicas: 4 });
    expect(jp.body.spec.template.spec.containers).toHaveLength(1);
    const selector = await raw("PATCH", `${DEPLOY}/web`, { spec: { selector: { matchLabels: { app: "other" } }, template: { metadata: { labels: { app: "other" } } } } }, "application/merge-patch+json");
    expect(selector.status).toBe(422);
    expect(selector.body).toMatchObject({ reason: "Invalid", details: { kind: "Deployment", group: "apps", causes: [{ field: "spec.selector" }] } });
    expect(selector.body.message).toBe('Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"other"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable');
    const stale = await raw("PUT", `${DEPLOY}/web`, { ...deployment(), metadata: { name: "web", resourceVersion: "1" } });
    expect(stale).toMatchObject({ status: 409, body: { reason: "Conflict", message: 'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again' } });
  });

  it("keeps status behind its subresource", async () => {
    const st = await raw("PATCH", `${DEPLOY}/web/status`, { spec: { replicas: 9 }, status: { readyReplicas: 1, observedGeneration: 1 } }, "application/merge-patch+json");
    expect(st.status).toBe(200);
    expect(st.body.status).toMatchObject({ readyReplicas: 1 });
    expect(st.body.spec.replicas).not.toBe(9);
    const main = await raw("PATCH", `${DEPLOY}/web`, { status: { readyReplicas: 42 } }, "application/merge-patch+json");
    expect(main.body.status.readyReplicas).toBe(1);
    sim.setStatus("apps/v1", "Deployment", "web", "shop", { replicas: 2, readyReplicas: 2 });
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    expect((await apps.readNamespacedDeploymentStatus({ name: "web", namespace: "shop" })).status?.readyReplicas).toBe(2);
  });

  it("registers CRDs in discovery and serves their custom objects", async () => {
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "widgets.example.com" },
      spec: { group: "example.com", scope: "Namespaced", names: { plural: "widgets", singular: "widget", kind: "Widget" }, versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }] },
    };
    const res = await apply("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com", crd);
    expect(res.status).toBe(201);
    expect(res.body.status.conditions).toContainEqual(expect.objectContaining({ type: "Established", status: "True" }));
    const disc = await raw("GET", "/apis/example.com/v1");
    expect(disc.body.resources).toContainEqual(expect.objectContaining({ name: "widgets", kind: "Widget", namespaced: true }));
    await objects.create({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w1", namespace: "shop" }, spec: { anything: { goes: [1, 2] } } } as k8s.KubernetesObject);
    const list = await raw("GET", "/apis/example.com/v1/namespaces/shop/widgets");
    expect(list.body).toMatchObject({ kind: "WidgetList", items: [{ apiVersion: "example.com/v1", kind: "Widget", spec: { anything: { goes: [1, 2] } } }] });
  });

  it("streams watch events and ends them on request", async () => {
    const events: string[] = [];
    let ended = false;
    const watch = new k8s.Watch(kc);
    await watch.watch("/api/v1/namespaces/shop/configmaps", { labelSelector: "app=w" }, (type, obj) => events.push(`${type} ${obj.metadata.name}`), () => (ended = true));
    await core.createNamespacedConfigMap({ namespace: "shop", body: { metadata: { name: "w1", labels: { app: "w" } } } });
    await core.createNamespacedConfigMap({ namespace: "shop", body: { metadata: { name: "other" } } });
    await core.patchNamespacedConfigMap({ name: "w1", namespace: "shop", body: { data: { x: "1" } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch));
    await core.deleteNamespacedConfigMap({ name: "w1", namespace: "shop" });
    await expect.poll(() => events).toEqual(["ADDED w1", "MODIFIED w1", "DELETED w1"]);
    expect(sim.dropWatches()).toBe(1);
    await expect.poll(() => ended).toBe(true);
  });

  it("resumes watches from a resourceVersion and answers 410 when it is too old", async () => {
    const small = await startKubeSim({ historyLimit: 5 });
    try {
      const kc2 = new k8s.KubeConfig();
      kc2.loadFromString(small.kubeconfig());
      const rv = Number(small.put({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c0", namespace: "default" } }).metadata.resourceVersion);
      for (let i = 1; i <= 3; i++) small.put({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `c${i}`, namespace: "default" } });
      const seen: string[] = [];
      await new k8s.Watch(kc2).watch("/api/v1/namespaces/default/configmaps", { resourceVersion: String(rv), timeoutSeconds: 1 }, (t, o) => seen.push(`${t} ${o.metadata.name}`), () => {});
      await expect.poll(() => seen).toEqual(["ADDED c1", "ADDED c2", "ADDED c3"]);
      for (let i = 4; i <= 9; i++) small.put({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `c${i}`, namespace: "default" } });
      const errors: any[] = [];
      await new k8s.Watch(kc2).watch("/api/v1/namespaces/default/configmaps", { resourceVersion: String(rv) }, (t, o) => t === "ERROR" && errors.push(o), () => {});
      await expect.poll(() => errors.length).toBe(1);
      expect(errors[0]).toMatchObject({ kind: "Status", code: 410, reason: "Expired", message: expect.stringMatching(/^too old resource version: \d+ \(\d+\)$/) });
    } finally {
      await small.close();
    }
  });

  it("deletes, and answers NotFound afterwards", async () => {
    const del = await objects.delete({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web2", namespace: "shop" } });
    expect(del).toMatchObject({ kind: "Status", status: "Success", details: { name: "web2", group: "apps", kind: "deployments" } });
    const gone = await apiError(objects.read({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web2", namespace: "shop" } }));
    expect(gone).toMatchObject({ code: 404, body: { reason: "NotFound", message: 'deployments.apps "web2" not found', details: { name: "web2", group: "apps", kind: "deployments" } } });
  });

  it("requires the bearer token, records requests and injects faults", async () => {
    const bad = new k8s.KubeConfig();
    bad.loadFromString(sim.kubeconfig().replace(sim.token, "wrong"));
    expect((await apiError(bad.makeApiClient(k8s.CoreV1Api).listNamespace())).code).toBe(401);
    const init = await bad.applyToFetchOptions({});
    const denied = await fetch(`${sim.url}/api/v1/namespaces`, init);
    expect(denied.status).toBe(401);
    expect(await denied.json()).toEqual({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 });

    sim.resetRequests();
    const unknown = await raw("GET", "/apis/nope.example.com/v1/things");
    expect(unknown).toMatchObject({ status: 404, body: { kind: "Status", reason: "NotFound" } });
    expect(sim.count((r) => r.path === "/apis/nope.example.com/v1/things" && r.status === 404)).toBe(1);

    sim.intercept((r) => (r.method === "GET" && r.path.endsWith("/configmaps/cm-a") ? { status: 429, headers: { "Retry-After": "1" } } : undefined));
    const limited = await raw("GET", "/api/v1/namespaces/shop/configmaps/cm-a");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(limited.body).toMatchObject({ kind: "Status", reason: "TooManyRequests", code: 429 });
    sim.intercept(() => ({ status: 500 }));
    expect(await apiError(core.readNamespace({ name: "shop" }))).toMatchObject({ code: 500, body: { reason: "InternalError" } });
    sim.intercept(undefined);
  });

  it("serves many objects and requests over kept-alive connections", async () => {
    for (let i = 0; i < 5000; i++) sim.put({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `bulk-${String(i).padStart(4, "0")}`, namespace: "default", labels: { bulk: i % 2 ? "odd" : "even" } } });
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: Buffer.from(sim.caData, "base64") });
    const get = (path: string) =>
      new Promise<{ reused: boolean; body: any }>((resolve, reject) => {
        const req = httpsRequest(sim.url + path, { agent, headers: { Authorization: `Bearer ${sim.token}` } }, (res) => {
          let text = "";
          res.on("data", (c) => (text += c));
          res.on("end", () => resolve({ reused: req.reusedSocket, body: JSON.parse(text) }));
        });
        req.on("error", reject);
        req.end();
      });
    const results = [];
    for (let i = 0; i < 200; i++) results.push(await get(`/api/v1/namespaces/default/configmaps/bulk-${String(i).padStart(4, "0")}`));
    expect(results.slice(1).every((r) => r.reused)).toBe(true);
    const odd = await get("/api/v1/namespaces/default/configmaps?labelSelector=bulk%3Dodd");
    expect(odd.body.items).toHaveLength(2500);
    agent.destroy();
  });
});
