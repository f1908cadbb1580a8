import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { checkClusterAccess, ConfigError, globMatch, loadRegistry, parseRegistry, type ClusterRegistry, type ConfigIssue } from "../../src/config/index.js";

const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/config/${name}`, import.meta.url));
const fixture = (name: string) => readFileSync(fixturePath(name), "utf8");

function issuesOf(run: () => unknown): ConfigIssue[] {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  throw new Error("expected a ConfigError");
}

describe("parseRegistry", () => {
  it("reads every field of registry-valid.yml", () => {
    const file = fixturePath("registry-valid.yml");
    const registry = parseRegistry(fixture("registry-valid.yml"), file);
    expect(registry.clusters.map((c) => c.name)).toEqual(["prod-eu", "lab", "dev"]);
    expect(registry.clusters.find((c) => c.name === "prod-eu")).toEqual({
      name: "prod-eu",
      kubeconfig: "/etc/converge/prod-eu.kubeconfig",
      inCluster: false,
      context: "prod-eu-admin",
      repositories: ["acme/shop", "acme/*"],
      namespaces: ["shop", "shop-*"],
      allowClusterScoped: false,
    });
    expect(registry.clusters.find((c) => c.name === "lab")).toEqual({ name: "lab", inCluster: true, repositories: ["*/*"], allowClusterScoped: true });
    // Relative kubeconfig paths are resolved next to the registry file, not the working directory.
    expect(registry.clusters.find((c) => c.name === "dev")?.kubeconfig).toBe(fixturePath("kubeconfigs/dev.yaml"));
    expect(registry.clusters.find((c) => c.name === "dev")?.namespaces).toEqual([]);
  });

  it("refuses inline credentials and never repeats them", () => {
    let message = "";
    const issues = issuesOf(() => {
      try {
        parseRegistry(fixture("registry-inline-credentials.yml"), "clusters.yml");
      } catch (e) {
        message = (e as Error).message;
        throw e;
      }
    });
    expect(issues.map((i) => [i.field, i.line])).toEqual([
      ["clusters.prod-eu.token", 5],
      ["clusters.prod-eu.password", 6],
      ["clusters.prod-eu.client-key-data", 7],
    ]);
    expect(issues[0].message).toContain("kubeconfig file");
    expect(message).not.toContain("DO-NOT-ECHO");
    expect(message).not.toContain("LS0tLS1");
  });

  it("collects every structural problem with its line", () => {
    const issues = issuesOf(() => parseRegistry(fixture("registry-errors.yml"), "clusters.yml"));
    expect(issues.map((i) => [i.field, i.line])).toEqual([
      ["clusters.both.kubeconfig", 3],
      ["clusters.neither", 6],
      ["clusters.no-repos.repositories", 8],
      ["clusters.bad-patterns.repositories[0]", 12],
      ["clusters.bad-patterns.repositories[1]", 12],
      ["clusters.bad-patterns.namespaces[0]", 13],
      ["clusters.bad-patterns.allowClusterScoped", 14],
      ["clusters.inline.kubeconfig", 16],
    ]);
    expect(issues[7].message).toContain("not inline kubeconfig content");
  });

  it("rejects an empty registry, unknown keys and aliases", () => {
    expect(issuesOf(() => parseRegistry("", "r.yml"))[0].message).toContain("empty");
    expect(issuesOf(() => parseRegistry("clusters: {}\n", "r.yml"))[0]).toMatchObject({ field: "clusters", line: 1 });
    const typo = issuesOf(() => parseRegistry("clusters:\n  a:\n    inCluster: true\n    repositories: [a/b]\n    namespace: [x]\n", "r.yml"));
    expect(typo).toEqual([{ file: "r.yml", field: "clusters.a.namespace", line: 5, message: "unknown field; did you mean namespaces?" }]);
    const alias = issuesOf(() => parseRegistry("x: &r [a/b]\nclusters:\n  a: { inCluster: true, repositories: *r }\n", "r.yml"));
    expect(alias[0].line).toBe(3);
  });
});

describe("loadRegistry", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("returns a clear error when CONVERGE_CLUSTERS is not set", () => {
    vi.stubEnv("CONVERGE_CLUSTERS", undefined);
    const result = loadRegistry();
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.issues[0].message).toContain("CONVERGE_CLUSTERS is not set");
  });

  it("reads the file named by CONVERGE_CLUSTERS", () => {
    vi.stubEnv("CONVERGE_CLUSTERS", fixturePath("registry-valid.yml"));
    const result = loadRegistry();
    expect(result.ok && result.registry.clusters.map((c) => c.name)).toEqual(["prod-eu", "lab", "dev"]);
  });

  it("returns read and validation failures as results", () => {
    const missing = loadRegistry(fixturePath("no-such-registry.yml"));
    expect(!missing.ok && missing.error.issues[0].message).toContain("ENOENT");
    const invalid = loadRegistry(fixturePath("registry-errors.yml"));
    expect(!invalid.ok && invalid.error.issues).toHaveLength(8);
  });
});

describe("checkClusterAccess", () => {
  const registry: ClusterRegistry = parseRegistry(fixture("registry-valid.yml"), fixturePath("registry-valid.yml"));
  const req = { cluster: "prod-eu", repository: "acme/shop", namespaces: ["shop"], clusterScoped: false };

  it("allows a permitted repository and namespaces, returning the entry", () => {
    const result = checkClusterAccess(registry, { ...req, namespaces: ["shop", "shop-staging", "shop"] });
    expect(result).toEqual({ allowed: true, entry: registry.clusters.find((c) => c.name === "prod-eu") });
    expect(checkClusterAccess(registry, { ...req, repository: "ACME/Shop" }).allowed).toBe(true);
  });

  it("names the cluster when it is unknown", () => {
    expect(checkClusterAccess(registry, { ...req, cluster: "x" })).toEqual({ allowed: false, reason: 'cluster "x" is not in the cluster registry' });
  });

  it("names the repository and the allowed patterns", () => {
    expect(checkClusterAccess(registry, { ...req, repository: "evil/repo" })).toEqual({
      allowed: false,
      reason: 'cluster "prod-eu" does not accept repository "evil/repo" (allowed: acme/shop, acme/*)',
    });
  });

  it("names the offending namespaces", () => {
    const one = checkClusterAccess(registry, { ...req, namespaces: ["shop", "kube-system"] });
    expect(one.allowed === false && one.reason).toBe('cluster "prod-eu" does not allow namespace "kube-system" for acme/shop (allowed: shop, shop-*)');
    const two = checkClusterAccess(registry, { ...req, namespaces: ["default", "kube-system"] });
    expect(two.allowed === false && two.reason).toContain('namespaces "default", "kube-system"');
  });

  it("never matches an empty namespace and denies everything for namespaces: []", () => {
    expect(checkClusterAccess(registry, { ...req, namespaces: [""] }).allowed).toBe(false);
    const dev = checkClusterAccess(registry, { cluster: "dev", repository: "acme/dev-1", namespaces: ["a"], clusterScoped: false });
    expect(dev.allowed === false && dev.reason).toContain("(allowed: none)");
    expect(checkClusterAccess(registry, { cluster: "dev", repository: "acme/dev-1", namespaces: [], clusterScoped: true }).allowed).toBe(true);
  });

  it("allows every namespace when the registry lists none", () => {
    const lab = { cluster: "lab", repository: "any/repo", namespaces: ["kube-system", "x"], clusterScoped: true };
    expect(checkClusterAccess(registry, lab).allowed).toBe(true);
  });

  it("refuses cluster-scoped objects when allowClusterScoped is false", () => {
    const result = checkClusterAccess(registry, { ...req, clusterScoped: true });
    expect(result.allowed === false && result.reason).toMatch(/^cluster "prod-eu" does not allow cluster-scoped objects .* for acme\/shop$/);
  });
});

describe("globMatch", () => {
  it.each([
    ["acme/*", "acme/shop", true],
    ["acme/*", "acme/shop/x", false],
    ["acme/*", "other/shop", false],
    ["*", "acme/shop", false], // "*" never crosses "/"
    ["*/*", "acme/shop", true],
    ["acme/dev-?", "acme/dev-1", true],
    ["acme/dev-?", "acme/dev-12", false],
    ["acme/a.b", "acme/aXb", false], // "." is literal
    ["shop-*", "shop-", true],
    ["", "", false],
    ["*", "", false],
  ])("%j matches %j: %s", (pattern, value, expected) => {
    expect(globMatch(pattern, value)).toBe(expected);
  });

  it("ignores case only when asked", () => {
    expect(globMatch("acme/*", "ACME/shop")).toBe(false);
    expect(globMatch("acme/*", "ACME/shop", true)).toBe(true);
  });
});
