import { describe, expect, it } from "vitest";
import { environmentDefaults } from "../../src/config/defaults.js";
import { classifyImage, evaluateGate, imagesOf, parseImage } from "../../src/policy/index.js";
import type { KubeObject } from "../../src/manifests/object.js";
import { envInput, gate, review } from "./policy-cases.js";

const policy = environmentDefaults().images;
const DIGEST = `sha256:${"a".repeat(64)}`;
const verdict = (image: string, p = policy) => classifyImage(image, p).ok;

describe("image rules", () => {
  it("latest fails", () => {
    expect(classifyImage("nginx:latest", policy)).toEqual({ ok: false, reason: "is mutable; pin a version tag matching ^v?\\d+\\.\\d+\\.\\d+$ or a digest" });
  });
  it("no tag fails", () => expect(classifyImage("nginx", policy)).toEqual({ ok: false, reason: 'is mutable (no tag means "latest"); pin a version tag matching ^v?\\d+\\.\\d+\\.\\d+$ or a digest' }));
  it("registry:port without tag fails", () => expect(verdict("localhost:5000/app")).toBe(false));
  it("registry:port with a version tag passes", () => expect(verdict("localhost:5000/shop/app:1.2.3")).toBe(true));
  it("digest passes", () => {
    expect(verdict(`nginx@${DIGEST}`)).toBe(true);
    expect(verdict(`nginx:1.2@${DIGEST}`)).toBe(true);
    expect(verdict(`registry.example.com:443/x/nginx:latest@${DIGEST}`)).toBe(true);
  });
  it("malformed digest fails even with allowMutable", () => {
    expect(verdict("nginx@sha256:abc", { ...policy, allowMutable: true })).toBe(false);
  });
  it("tag pattern", () => {
    expect(verdict("ghcr.io/acme/web:v1.4.2")).toBe(true);
    expect(verdict("ghcr.io/acme/web:1.4")).toBe(false);
    expect(classifyImage("web:dev", policy)).toEqual({ ok: false, reason: 'has tag "dev", which does not match ^v?\\d+\\.\\d+\\.\\d+$; pin a version tag matching ^v?\\d+\\.\\d+\\.\\d+$ or a digest' });
    expect(verdict("web:main-3f2a1b", { allowedTags: "^main-[0-9a-f]{6}$", allowMutable: false })).toBe(true);
  });
  it("allowMutable", () => {
    const loose = { ...policy, allowMutable: true };
    expect(verdict("nginx", loose)).toBe(true);
    expect(verdict("nginx:latest", loose)).toBe(true);
    expect(verdict("nginx:dev", loose)).toBe(true);
  });
  it("invalid allowedTags fails closed", () => expect(classifyImage("web:1.0.0", { allowedTags: "(", allowMutable: false })).toMatchObject({ ok: false }));
  it("parses references", () => {
    expect(parseImage("localhost:5000/app:1.2.3")).toEqual({ name: "localhost:5000/app", tag: "1.2.3" });
    expect(parseImage("nginx")).toEqual({ name: "nginx" });
    expect(parseImage(`nginx:1.2@${DIGEST}`)).toEqual({ name: "nginx", tag: "1.2", digest: DIGEST });
  });
});

describe("image condition in the gate", () => {
  const ref = { object: "Deployment shop/web", container: "web", image: "nginx:latest" };
  it("mutable image message and title", () => {
    const r = evaluateGate(gate({ reviews: [review("bob", "APPROVED")], environments: [envInput({ images: [ref] })] }));
    expect(r.title).toBe("mutable image nginx:latest");
    expect(r.unmet).toEqual(["production: image \"nginx:latest\" in Deployment shop/web (container web) is mutable; pin a version tag matching ^v?\\d+\\.\\d+\\.\\d+$ or a digest"]);
  });
  it("names the file and line when known", () => {
    const r = evaluateGate(gate({ environments: [envInput({ images: [{ ...ref, file: "deploy/web.yaml", line: 12 }] })] }));
    expect(r.unmet[0]).toContain("(container web, deploy/web.yaml:12)");
  });
  it("titles stay plain", () => {
    const r = evaluateGate(gate({ environments: [envInput({ images: [{ ...ref, image: "nginx:<b>x</b>\nlatest" }] })] }));
    expect(r.title).not.toMatch(/[<>\n]/);
  });
  it("pinned images pass", () => {
    const r = evaluateGate(gate({ reviews: [review("bob", "APPROVED")], environments: [envInput({ images: [{ ...ref, image: "nginx:1.27.0" }] })] }));
    expect(r.conclusion).toBe("success");
    expect(r.met).toContain("production: every image is pinned");
  });
});

describe("imagesOf", () => {
  const pod = { containers: [{ name: "web", image: "web:1.0.0" }], initContainers: [{ name: "init", image: "busybox" }], ephemeralContainers: [{ name: "dbg", image: "debug:1" }] };
  it("Deployment: containers, initContainers, ephemeralContainers", () => {
    const obj: KubeObject = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { template: { spec: pod } } };
    expect(imagesOf(obj)).toEqual([
      { container: "web", image: "web:1.0.0" },
      { container: "init", image: "busybox" },
      { container: "dbg", image: "debug:1" },
    ]);
  });
  it("CronJob's jobTemplate", () => {
    const obj: KubeObject = { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "c" }, spec: { jobTemplate: { spec: { template: { spec: pod } } } } };
    expect(imagesOf(obj)).toHaveLength(3);
  });
  it("Pod", () => expect(imagesOf({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: pod })).toHaveLength(3));
  it("StatefulSet, DaemonSet, ReplicaSet, Job", () => {
    for (const [apiVersion, kind] of [["apps/v1", "StatefulSet"], ["apps/v1", "DaemonSet"], ["apps/v1", "ReplicaSet"], ["batch/v1", "Job"]]) {
      expect(imagesOf({ apiVersion, kind, metadata: { name: "x" }, spec: { template: { spec: pod } } })).toHaveLength(3);
    }
  });
  it("objects without pods", () => {
    expect(imagesOf({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { image: "x" } })).toEqual([]);
    expect(imagesOf({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "broken" }, spec: { template: { spec: { containers: "no" } } } })).toEqual([]);
  });
});
