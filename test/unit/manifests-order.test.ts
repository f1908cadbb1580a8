import { describe, expect, it } from "vitest";
import { formatManifestError, kindOrder, loadManifests, sortObjects, touchesInputs, type KubeObject } from "../../src/manifests/index.js";
import { fixture, ids } from "./manifests-helpers.js";

describe("namespaces", () => {
  it("defaults namespaced kinds only, learns scopes from CRDs in the set, and drops namespaces from cluster-scoped objects", async () => {
    const r = await loadManifests({ root: fixture("namespace-defaults"), path: "", defaultNamespace: "shop" });
    expect(r.errors).toEqual([]);
    expect(ids(r)).toEqual([
      "CustomResourceDefinition widgets.example.com",
      "Widget cluster-wide",
      "Gadget shop/unknown-kind",
      "ClusterRole reader",
      "ConfigMap other/declared",
      "ConfigMap shop/defaulted",
      "StorageClass fast",
    ]);
  });

  it("lets discovery decide when it knows, the table otherwise", async () => {
    const seen: string[] = [];
    const namespacedKind = (apiVersion: string, kind: string): boolean | undefined => {
      seen.push(`${apiVersion} ${kind}`);
      if (kind === "Gadget") return false;
      if (kind === "StorageClass") return undefined;
      return undefined;
    };
    const r = await loadManifests({ root: fixture("namespace-defaults"), path: "", defaultNamespace: "shop", namespacedKind });
    expect(ids(r)).toContain("Gadget unknown-kind");
    expect(ids(r)).toContain("StorageClass fast");
    expect(seen).toContain("example.com/v1 Gadget");
  });

  it("leaves objects without a namespace when there is no default", async () => {
    const r = await loadManifests({ root: fixture("namespace-defaults"), path: "" });
    expect(ids(r)).toContain("ConfigMap defaulted");
  });
});

describe("kindOrder / sortObjects", () => {
  const obj = (kind: string, name: string, apiVersion = "v1"): KubeObject => ({ apiVersion, kind, metadata: { name } });

  it("puts CRDs and Namespaces first, RBAC and config before workloads, unknown kinds before admission webhooks", () => {
    const kinds = ["Widget", "Deployment", "Service", "Secret", "ConfigMap", "RoleBinding", "Role", "ClusterRoleBinding", "ClusterRole", "ServiceAccount", "Namespace", "CustomResourceDefinition", "PersistentVolumeClaim", "ValidatingWebhookConfiguration"];
    const sorted = [...kinds].sort((a, b) => kindOrder(a) - kindOrder(b));
    expect(sorted).toEqual(["CustomResourceDefinition", "Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "ConfigMap", "Secret", "PersistentVolumeClaim", "Service", "Deployment", "Widget", "ValidatingWebhookConfiguration"]);
    expect(kindOrder("Widget")).toBe(kindOrder("Gadget"));
  });

  it("sorts by kind order, then identity, for objects and desired objects alike, without mutating the input", () => {
    const input = [obj("Deployment", "b", "apps/v1"), obj("Widget", "z", "example.com/v1"), obj("Deployment", "a", "apps/v1"), obj("Namespace", "shop"), obj("Gadget", "y", "example.com/v1")];
    const sorted = sortObjects(input);
    expect(sorted.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(["Namespace/shop", "Deployment/a", "Deployment/b", "Gadget/y", "Widget/z"]);
    expect(input[0].metadata.name).toBe("b");
    const desired = sortObjects(input.map((object) => ({ object, source: { file: "x.yaml" } })));
    expect(desired.map((d) => d.object.metadata.name)).toEqual(["shop", "a", "b", "y", "z"]);
  });
});

describe("touchesInputs / formatManifestError", () => {
  it("matches files and directory prefixes", () => {
    const inputs = ["envs/prod/", "base/"];
    expect(touchesInputs(inputs, ["base/deployment.yaml"])).toBe(true);
    expect(touchesInputs(inputs, ["envs/prod/kustomization.yaml"])).toBe(true);
    expect(touchesInputs(inputs, ["envs/staging/x.yaml", "README.md"])).toBe(false);
    expect(touchesInputs(["./"], ["anything"])).toBe(true);
  });

  it("counts a deleted file of a plain tree through the environment path", () => {
    expect(touchesInputs(["envs/prod/a.yaml"], ["envs/prod/deleted.yaml"])).toBe(false);
    expect(touchesInputs(["envs/prod/a.yaml"], ["envs/prod/deleted.yaml"], "envs/prod")).toBe(true);
    expect(touchesInputs(["envs/prod/a.yaml"], ["envs/production.yaml"], "envs/prod")).toBe(false);
  });

  it("formats file:line: message", () => {
    expect(formatManifestError({ file: "a.yaml", line: 3, message: "missing kind", reason: "ManifestInvalid" })).toBe("a.yaml:3: missing kind");
    expect(formatManifestError({ file: "k/kustomization.yaml", message: "kustomize failed: x", reason: "RenderFailed" })).toBe("k/kustomization.yaml: kustomize failed: x");
  });
});
