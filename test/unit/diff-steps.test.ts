import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments, stringify } from "yaml";
import type { KubeObject } from "../../src/manifests/object.js";
import {
  STAMP_KEYS,
  applyIgnoreRules,
  describeSummary,
  detectDangers,
  kindRank,
  maskSecrets,
  normalizeObject,
  parsePointer,
  PointerError,
  projectOnto,
  redactText,
  secretValues,
  toCanonicalYaml,
  unifiedDiff,
} from "../../src/diff/index.js";

const cm = (data: Record<string, unknown>, extra: Record<string, unknown> = {}): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "ns" }, data, ...extra });
const secret = (fields: Record<string, unknown>): KubeObject => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "ns" }, ...fields });
const b64 = (s: string) => Buffer.from(s).toString("base64");
const deployId = { group: "apps", kind: "Deployment", namespace: "shop", name: "web" };

describe("normalizeObject", () => {
  const noisy = cm({ b: "2", a: "1" }, { status: { x: 1 } });
  noisy.metadata = { name: "c", namespace: "ns", uid: "u", resourceVersion: "9", generation: 2, creationTimestamp: "t", selfLink: "/x", deletionTimestamp: "t", managedFields: [{}], labels: { "applyset.kubernetes.io/part-of": "set" }, annotations: { "converge.dev/revision": "abc", "autoscaling.alpha.kubernetes.io/conditions": "[]", keep: "me" } };
  it("strips server noise, stamps and empty maps", () => expect(normalizeObject(noisy)).toEqual({ apiVersion: "v1", data: { a: "1", b: "2" }, kind: "ConfigMap", metadata: { annotations: { keep: "me" }, name: "c", namespace: "ns" } }));
  it("sorts keys", () => expect(Object.keys(normalizeObject(noisy).data as object)).toEqual(["a", "b"]));
  it("does not mutate its input", () => expect(noisy.metadata.uid).toBe("u"));
  it("exports the stamp keys the cluster adapter writes", () => expect(STAMP_KEYS).toEqual(["converge.dev/revision", "converge.dev/repository", "applyset.kubernetes.io/part-of"]));
});

describe("maskSecrets", () => {
  const live = secret({ data: { a: b64("v-same"), b: b64("v-old"), gone: b64("v-gone") } });
  const predicted = secret({ data: { a: b64("v-same"), b: b64("v-new") }, stringData: { c: "v-add" } });
  const masked = maskSecrets(live, predicted);
  it("equal values get equal placeholders", () => expect((masked.live!.data as any).a).toBe((masked.predicted!.data as any).a));
  it("different values get different placeholders", () => expect((masked.live!.data as any).b).not.toBe((masked.predicted!.data as any).b));
  it("lists key changes", () => expect(masked.keys).toEqual([{ key: "b", change: "changed" }, { key: "c", change: "added" }, { key: "gone", change: "removed" }]));
  it("merges stringData into data", () => expect(Object.keys(masked.predicted!.data as object)).toEqual(["a", "b", "c"]));
  it("hides values and their base64", () => expect(JSON.stringify(masked)).not.toMatch(/v-|di1/));
  it("masks last-applied-configuration", () => expect(JSON.stringify(maskSecrets(secret({ metadata: { name: "s", annotations: { "kubectl.kubernetes.io/last-applied-configuration": '{"stringData":{"pw":"hunter2"}}' } } }), undefined))).not.toContain("hunter2"));
  it("passes other kinds through", () => expect(maskSecrets(cm({ a: "1" }), undefined).live).toEqual(cm({ a: "1" })));
  it("does not mutate its input", () => expect((predicted.stringData as any).c).toBe("v-add"));
  it("lists every key of a new Secret as added", () => expect(maskSecrets(undefined, predicted).keys.map((k) => k.change)).toEqual(["added", "added", "added"]));
});

describe("redactText", () => {
  it("redacts raw, base64 and JSON-escaped values", () => expect(redactText(`a hunter2 ${b64("hunter2")} ${b64("hunter2").replace(/=+$/, "")} "p\\"w"`, ["hunter2", 'p"w'])).toBe('a <redacted> <redacted> <redacted> "<redacted>"'));
  it("replaces the longest secret first", () => expect(redactText("abc-def", ["abc", "abc-def"])).toBe("<redacted>"));
  it("leaves text alone without secrets", () => expect(redactText("fine", [])).toBe("fine"));
  it("takes values from a Secret", () => expect(secretValues(secret({ data: { a: b64("x1") }, stringData: { b: "y2" } }))).toEqual(["x1", "y2"]));
});

describe("parsePointer and applyIgnoreRules", () => {
  it("unescapes ~1 and ~0", () => expect(parsePointer("/metadata/annotations/a~1b~0c/~01")).toEqual(["metadata", "annotations", "a/b~c", "~1"]));
  it("reads the whole document as []", () => expect(parsePointer("")).toEqual([]));
  it("rejects a pointer without a leading slash", () => expect(() => parsePointer("spec/replicas")).toThrow(PointerError));
  it("rejects a bad escape", () => expect(() => parsePointer("/a~2")).toThrow(PointerError));
  const obj = cm({}, { spec: { replicas: 3, list: ["a", "b", "c"] }, metadata: { name: "web", namespace: "shop", annotations: { "x/y": "1" } } });
  const rule = (pointers: string[], extra = {}) => [{ kind: "ConfigMap", jsonPointers: pointers, ...extra }];
  const id = { group: "", kind: "ConfigMap", namespace: "shop", name: "web" };
  it("removes array items by index", () => expect((applyIgnoreRules(rule(["/spec/list/1"]), id, obj).spec as any).list).toEqual(["a", "c"]));
  it("ignores a missing pointer", () => expect(applyIgnoreRules(rule(["/spec/nope/deeper", "/spec/list/9"]), id, obj)).toEqual(obj));
  it("drops a map emptied by ignoring", () => expect(applyIgnoreRules(rule(["/metadata/annotations/x~1y"]), id, obj).metadata).toEqual({ name: "web", namespace: "shop" }));
  it("matches name and namespace when given", () => expect(applyIgnoreRules(rule(["/spec"], { name: "other" }), id, obj)).toBe(obj));
  it("matches group when given", () => expect(applyIgnoreRules(rule(["/spec"], { group: "apps" }), id, obj)).toBe(obj));
  it("does not mutate its input", () => expect(applyIgnoreRules(rule(["/spec/replicas"]), id, obj) !== obj && (obj.spec as any).replicas === 3).toBe(true));
});

describe("projectOnto", () => {
  const live = { apiVersion: "v1", kind: "X", metadata: { name: "a", uid: "u" }, spec: { d: 1, ports: [{ port: 80, protocol: "TCP" }], containers: [{ name: "a", image: "1", pull: "IfNotPresent" }, { name: "hand-added", image: "2" }] } } as KubeObject;
  const desired = { apiVersion: "v1", kind: "X", metadata: { name: "a" }, spec: { ports: [{ port: 80 }], containers: [{ name: "a", image: "1" }] } } as KubeObject;
  it("keeps only what desired sets, matching named items by name", () => expect(projectOnto(live, desired)).toEqual({ apiVersion: "v1", kind: "X", metadata: { name: "a" }, spec: { ports: [{ port: 80 }], containers: [{ name: "a", image: "1" }, { name: "hand-added", image: "2" }] } }));
});

describe("toCanonicalYaml", () => {
  const dir = fileURLToPath(new URL("../fixtures/diff/", import.meta.url));
  const fixtures = readdirSync(dir).flatMap((f) => parseAllDocuments(readFileSync(dir + f, "utf8")).map((d) => d.toJS() as KubeObject));
  const tricky = { kind: "K", apiVersion: "v1", metadata: { name: "n" }, z: [[1, 2], [], {}, { y: [3], x: 1 }, "multi\nline\n", "  lead\nx", "a\n\n\n", null, true, 1.5, 1e21, -0, "yes", "True", "on", "10.96.14.7", "foo:", "a: b", "", " ", "x #y", "http://a", "25%", "%x", "@x", "-x", "é", "tab\there", "trail ", "<<", "'q'", '"dq"', "x".repeat(300)], "key with space": 1, "k:": 2, "": 3, true: "t", e: { f: "l1\nl2\n" }, g: [{ h: "l1\nl2" }, [["deep\nblock"]]] };
  const cases = [...fixtures, ...fixtures.map(normalizeObject), tricky];
  it("prints exactly what yaml's stringify prints", () => cases.forEach((o) => expect(toCanonicalYaml(o)).toBe(stringify(parse(toCanonicalYaml(o)), { lineWidth: 0 }))));
  it("round-trips", () => cases.forEach((o) => expect(parse(toCanonicalYaml(o))).toEqual(o)));
  it("puts identity first, the rest sorted", () => expect(toCanonicalYaml({ spec: 1, data: 2, metadata: { name: "a" }, kind: "K", apiVersion: "v1" })).toBe("apiVersion: v1\nkind: K\nmetadata:\n  name: a\ndata: 2\nspec: 1\n"));
  it("never folds long strings", () => expect(toCanonicalYaml({ a: "word ".repeat(100).trim() }).split("\n")).toHaveLength(2));
  it("prints shared subtrees in full", () => expect(toCanonicalYaml((() => { const l = { a: "b" }; return { x: l, y: l }; })())).not.toContain("*"));
});

describe("unifiedDiff", () => {
  it("is empty when equal", () => expect(unifiedDiff("a\n", "a\n", "X/y")).toBe(""));
  it("has kubectl-style headers and no Index noise", () => expect(unifiedDiff("a\nb\n", "a\nc\n", "Deployment/shop/web")).toBe("--- live/Deployment/shop/web\n+++ desired/Deployment/shop/web\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"));
  it("keeps 3 lines of context", () => expect(unifiedDiff("1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\n3\n4\nX\n6\n7\n8\n", "x").split("\n")[2]).toBe("@@ -2,7 +2,7 @@"));
  it("shows a delete as all removed", () => expect(unifiedDiff("a\nb\n", "", "x")).toBe("--- live/x\n+++ desired/x\n@@ -1,2 +0,0 @@\n-a\n-b\n"));
  it("stays fast on large, very different texts", () => {
    const a = Array.from({ length: 20000 }, (_, i) => `line ${i}`).join("\n") + "\n";
    const b = Array.from({ length: 20000 }, (_, i) => `other ${i}`).join("\n") + "\n";
    const start = performance.now();
    expect(unifiedDiff(a, b, "x").split("\n")).toHaveLength(40004);
    expect(performance.now() - start).toBeLessThan(2000);
  });
});

describe("detectDangers", () => {
  const svc = (ip: string) => ({ apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "shop" }, spec: { clusterIP: ip } }) as KubeObject;
  const svcId = { group: "", kind: "Service", namespace: "shop", name: "s" };
  it("flags any delete", () => expect(detectDangers("delete", deployId, undefined, undefined)).toEqual(["deletes Deployment shop/web"]));
  it("flags a new Namespace", () => expect(detectDangers("create", { group: "", kind: "Namespace", name: "x" }, undefined, undefined)).toEqual(["creates a Namespace"]));
  it("flags a CRD delete", () => expect(detectDangers("delete", { group: "apiextensions.k8s.io", kind: "CustomResourceDefinition", name: "x" }, undefined, undefined)[0]).toMatch(/^deletes a CustomResourceDefinition/));
  it("flags a clusterIP change", () => expect(detectDangers("update", svcId, svc("10.0.0.1"), svc("10.0.0.2"))).toEqual(["changes immutable field spec.clusterIP: the object will be re-created"]));
  it("ignores an immutable field the desired object omits", () => expect(detectDangers("update", svcId, svc("10.0.0.1"), { ...svc(""), spec: {} })).toEqual([]));
  it("flags data of an immutable ConfigMap", () => expect(detectDangers("update", { group: "", kind: "ConfigMap", namespace: "ns", name: "c" }, cm({ a: "1" }, { immutable: true }), cm({ a: "2" }, { immutable: true }))).toEqual(["changes immutable field data: the object will be re-created"]));
  it("flags a Job template change", () => expect(detectDangers("update", { group: "batch", kind: "Job", namespace: "ns", name: "j" }, { ...cm({}), kind: "Job", spec: { template: { a: 1 } } }, { ...cm({}), kind: "Job", spec: { template: { a: 2 } } })).toEqual(["changes immutable field spec.template: the object will be re-created"]));
  it("is quiet on an ordinary update", () => expect(detectDangers("update", deployId, cm({ a: "1" }), cm({ a: "2" }))).toEqual([]));
});

describe("describeSummary and kind order", () => {
  it("omits zero parts", () => expect(describeSummary({ create: 2, update: 1, delete: 1, unchanged: 9 })).toBe("2 to create, 1 to update, 1 to delete"));
  it("says no changes", () => expect(describeSummary({ create: 0, update: 0, delete: 0, unchanged: 9 })).toBe("no changes"));
  it("applies CRDs, Namespaces, config, then workloads, then the rest", () => expect(["Widget", "Deployment", "Secret", "Namespace", "CustomResourceDefinition", "ValidatingWebhookConfiguration"].sort((a, b) => kindRank(a) - kindRank(b))).toEqual(["CustomResourceDefinition", "Namespace", "Secret", "Deployment", "Widget", "ValidatingWebhookConfiguration"]));
});
