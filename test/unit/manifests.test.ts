import { describe, expect, it } from "vitest";
import { loadManifests } from "../../src/manifests/index.js";
import { fixture, ids } from "./manifests-helpers.js";

describe("loadManifests: plain trees", () => {
  it("loads multi-document files recursively in path order, skipping empty documents and dot-files", async () => {
    const r = await loadManifests({ root: fixture("plain-multidoc"), path: "envs/prod", defaultNamespace: "shop" });
    expect(r.errors).toEqual([]);
    expect(r.renderer).toBe("plain");
    expect(r.inputs).toEqual(["envs/prod/app.yaml", "envs/prod/namespace.yml", "envs/prod/rbac/roles.yaml"]);
    expect(ids(r)).toEqual([
      "Deployment shop/web",
      "Service frontend/web",
      "Namespace shop",
      "ClusterRole system:aggregate-to-view-shop",
      "RoleBinding shop/view",
    ]);
    expect(r.objects[0].source).toEqual({ file: "envs/prod/app.yaml", line: 2, doc: 0 });
    expect(r.objects[1].source).toEqual({ file: "envs/prod/app.yaml", line: 25, doc: 3 });
    expect(r.objects[4].source).toEqual({ file: "envs/prod/rbac/roles.yaml", line: 7, doc: 1 });
  });

  it("accepts the repository root as the path", async () => {
    const r = await loadManifests({ root: fixture("plain-multidoc"), path: "." });
    expect(r.inputs).toContain("envs/other/other.yaml");
    expect(ids(r)).toContain("ConfigMap not-in-prod");
  });

  it("accepts a single file as the path", async () => {
    const r = await loadManifests({ root: fixture("plain-multidoc"), path: "envs/prod/namespace.yml" });
    expect(r.errors).toEqual([]);
    expect(ids(r)).toEqual(["Namespace shop"]);
  });

  it("flattens List kinds, each item with its own line", async () => {
    const r = await loadManifests({ root: fixture("list-kind"), path: "" });
    expect(r.errors).toEqual([]);
    expect(ids(r)).toEqual(["ConfigMap first", "ServiceAccount robot", "ConfigMap second", "ConfigMap third"]);
    expect(r.objects.map((o) => o.source.line)).toEqual([4, 10, 19, 21]);
    expect(r.objects[2].object.apiVersion).toBe("v1"); // inherited from the typed ConfigMapList
    expect(r.objects.every((o) => o.source.file === "lists.yaml")).toBe(true);
  });
});

describe("loadManifests: validation", () => {
  it("reports malformed YAML with the parser's line and keeps loading the rest", async () => {
    const r = await loadManifests({ root: fixture("malformed-yaml"), path: "" });
    expect(ids(r)).toEqual(["ConfigMap fine", "ConfigMap good"]);
    const bad = r.errors.find((e) => e.file === "bad.yaml");
    expect(bad).toMatchObject({ file: "bad.yaml", line: 12, reason: "ManifestInvalid" });
    expect(bad?.message).toMatch(/^YAML syntax error: /);
    expect(bad?.message).not.toContain("\n"); // no code frame
  });

  it("never quotes a Secret's value in a parse error", async () => {
    const r = await loadManifests({ root: fixture("malformed-yaml"), path: "" });
    const secretErrors = r.errors.filter((e) => e.file === "secret.yaml");
    expect(secretErrors.length).toBeGreaterThan(0);
    expect(secretErrors[0].line).toBe(6);
    for (const e of r.errors) expect(JSON.stringify(e)).not.toMatch(/hunter2|s3cr3t|t0ken/);
  });

  it("names the missing or invalid field and the line", async () => {
    const r = await loadManifests({ root: fixture("missing-kind"), path: "" });
    const brief = r.errors.map((e) => `${e.line} ${e.field ?? "-"} ${e.message}`);
    expect(brief).toEqual([
      "1 kind missing kind",
      "5 apiVersion missing apiVersion",
      "9 metadata.name missing metadata.name",
      "15 metadata.name metadata.name must be a string, got a number",
      expect.stringMatching(/^20 metadata\.name metadata\.name "Not_Valid" is not a valid DNS-1123 subdomain/),
      expect.stringMatching(/^25 metadata\.name metadata\.name "way\.too\.dotted" is not a valid DNS-1123 label/),
      "30 - document is a sequence, not a mapping (a Kubernetes object)",
      "33 metadata.labels.enabled metadata.labels.enabled must be a string, got a boolean (quote it)",
    ]);
    expect(r.errors.every((e) => e.file === "objects.yaml" && e.reason === "ManifestInvalid")).toBe(true);
    expect(ids(r)).toEqual(["ConfigMap valid"]);
  });

  it("reports the same identity twice as one error naming both files and lines", async () => {
    const r = await loadManifests({ root: fixture("duplicate-object"), path: "", defaultNamespace: "shop" });
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ file: "b.yaml", line: 6, reason: "ManifestInvalid" });
    expect(r.errors[0].message).toBe("ConfigMap shop/settings is defined twice: in a.yaml:1 and in b.yaml:6");
    expect(ids(r)).toEqual(["ConfigMap shop/settings", "ConfigMap shop/other"]);
  });

  it("does not see a duplicate when the default namespace differs from the declared one", async () => {
    const r = await loadManifests({ root: fixture("duplicate-object"), path: "", defaultNamespace: "other" });
    expect(r.errors).toEqual([]);
  });
});
