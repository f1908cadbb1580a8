import { describe, expect, it } from "vitest";
import { loadManifests } from "../../src/manifests/index.js";
import { scrub } from "../../src/manifests/kustomize.js";
import { FIXTURES, fixture, ids } from "./manifests-helpers.js";

describe("loadManifests: kustomize", () => {
  it("renders with kubectl kustomize (namePrefix, commonLabels, configMapGenerator)", async () => {
    const r = await loadManifests({ root: fixture("kustomize-basic"), path: "envs/prod", defaultNamespace: "shop" });
    expect(r.errors).toEqual([]);
    expect(r.renderer).toBe("kustomize");
    expect(ids(r)).toEqual([expect.stringMatching(/^ConfigMap shop\/prod-web-config-[a-z0-9]{10}$/), "Service shop/prod-web", "Deployment shop/prod-web"]);
    for (const o of r.objects) {
      expect(o.object.metadata.labels?.env).toBe("prod");
      expect(o.source.file).toBe("envs/prod/kustomization.yaml");
      expect(o.source.line).toBeUndefined();
    }
    expect(r.objects.map((o) => o.source.doc)).toEqual([0, 1, 2]);
    // The base lies outside the environment: a PR touching it touches the environment.
    expect(r.inputs).toEqual(["envs/prod/", "base/"]);
  });

  it("refuses remote bases before running kustomize", async () => {
    const r = await loadManifests({ root: fixture("kustomize-remote-base"), path: "" });
    expect(r.renderer).toBe("kustomize");
    expect(r.objects).toEqual([]);
    expect(r.errors).toEqual([
      {
        file: "kustomization.yaml",
        field: "resources",
        reason: "ManifestInvalid",
        message: 'resources entry "https://github.com/example/platform//deploy/base?ref=v1.2.3" is remote; Converge does not fetch remote bases or URLs: vendor it into the repository',
      },
    ]);
  });

  it("surfaces kustomize's load-restrictor error with repository-relative paths", async () => {
    const r = await loadManifests({ root: fixture("kustomize-escape"), path: "envs/prod" });
    expect(r.objects).toEqual([]);
    expect(r.errors).toHaveLength(1);
    const e = r.errors[0];
    expect(e).toMatchObject({ file: "envs/prod/kustomization.yaml", reason: "RenderFailed" });
    expect(e.message).toContain("security; file 'outside.yaml' is not in or below 'envs/prod'");
    expect(e.message).not.toContain(FIXTURES);
    expect(e.message).not.toMatch(/^E\d{4}|command failed/);
    expect(r.inputs).toEqual(["envs/prod/", "outside.yaml"]);
  });

  it("refuses references that leave the repository before running kustomize", async () => {
    const r = await loadManifests({ root: fixture("kustomize-outside-repo"), path: "." });
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].message).toMatch(/^resources entry "[./]+etc" points outside the repository$/);
  });
});

describe("kustomize limits", () => {
  it("stops kubectl at the timeout", async () => {
    const r = await loadManifests({ root: fixture("kustomize-basic"), path: "envs/prod", limits: { kustomizeTimeoutMs: 1 } });
    expect(r.objects).toEqual([]);
    expect(r.errors).toEqual([{ file: "envs/prod/kustomization.yaml", reason: "RenderFailed", message: "kubectl kustomize did not finish within 0.001 s" }]);
  });

  it("bounds kustomize's output", async () => {
    const r = await loadManifests({ root: fixture("kustomize-basic"), path: "envs/prod", limits: { maxTotalBytes: 100 } });
    expect(r.errors[0].message).toBe("kustomize output exceeds 100 bytes (limit)");
  });
});

describe("scrub", () => {
  it("unwraps klog lines and makes paths repository-relative", () => {
    const stderr = `# Warning: 'commonLabels' is deprecated.\nE1121 20:00:31.828556    9399 run.go:72] "command failed" err="accumulating resources: file '/tmp/co/repo/a/b.yaml' is not in or below '/tmp/co/repo/a/c': \\"x\\""\n`;
    expect(scrub(stderr, ["/tmp/co/repo"])).toBe(`accumulating resources: file 'a/b.yaml' is not in or below 'a/c': "x"`);
    expect(scrub("error: no kustomization in /tmp/co/repo", ["/tmp/co/repo/"])).toBe("no kustomization in .");
  });
});
