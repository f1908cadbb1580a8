import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError, environmentDefaults, parseConfig, parseConfigValue, type ConfigIssue } from "../../src/config/index.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/config/${name}`, import.meta.url), "utf8");

/** The issues parseConfig throws for a fixture, as [field, line] pairs plus the raw list. */
function issuesOf(run: () => unknown): ConfigIssue[] {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  throw new Error("expected a ConfigError");
}
const fixtureIssues = (name: string) => issuesOf(() => parseConfig(fixture(name), name));
const where = (issues: ConfigIssue[]) => issues.map((i) => [i.field, i.line]);

describe("parseConfig: valid files", () => {
  it("reads every field of valid-full.yml, environments in file order", () => {
    const config = parseConfig(fixture("valid-full.yml"));
    expect(config.environments.map((e) => e.name)).toEqual(["production", "staging", "2024"]);
    expect(config.environments[0]).toEqual({
      name: "production",
      path: "deploy/production",
      cluster: "prod-eu",
      branch: "main",
      namespace: "shop",
      approvals: { required: 2, from: ["@acme/sre", "alice", "bob"] },
      prune: true,
      verify: { timeout: 300, restartThreshold: 3 },
      onFailure: "revert-pr",
      drift: { interval: 600, action: "heal" },
      ignoreDifferences: [
        { kind: "Deployment", group: "apps", name: "web", namespace: "shop", jsonPointers: ["/spec/replicas"] },
        { kind: "ConfigMap", group: "", jsonPointers: ["/data/generated~1at"] },
      ],
      dangerous: { label: "converge/allow-destructive", maxDeleteShare: 0.2, extraApprovals: 0 },
      images: { allowedTags: "^v?\\d+\\.\\d+\\.\\d+$", allowMutable: false },
      autoApproveReverts: true,
      forceConflicts: false,
    });
  });

  it("normalises paths and branches and keeps defaults for fields left out of a sub-mapping", () => {
    const [, staging, root] = parseConfig(fixture("valid-full.yml")).environments;
    expect(staging.path).toBe("deploy/staging");
    expect(staging.branch).toBe("develop");
    expect(staging.approvals).toEqual({ required: 0, from: [] });
    expect(staging.drift).toEqual({ interval: 600, action: "off" });
    expect(staging.dangerous).toEqual({ label: "converge/allow-destructive", maxDeleteShare: 1, extraApprovals: 1 });
    expect(staging.images.allowMutable).toBe(true);
    expect(staging.namespace).toBeUndefined();
    expect(root.path).toBe(".");
  });

  it("fills every default for a minimal environment", () => {
    const [env] = parseConfig(fixture("valid-minimal.yml")).environments;
    expect(env).toEqual({ name: "production", path: "deploy/production", cluster: "prod-eu", ...environmentDefaults() });
    expect(env.approvals).toEqual({ required: 1, from: [] });
    expect(env.drift).toEqual({ interval: 600, action: "report" });
  });

  it("hands out fresh default objects", () => {
    const a = parseConfig(fixture("valid-minimal.yml")).environments[0];
    a.approvals.from.push("mallory");
    a.ignoreDifferences.push({ kind: "X", jsonPointers: ["/a"] });
    const b = parseConfig(fixture("valid-minimal.yml")).environments[0];
    expect(b.approvals.from).toEqual([]);
    expect(b.ignoreDifferences).toEqual([]);
  });

  it.each([
    ["./deploy//prod/", "deploy/prod"],
    ["deploy/x/../prod", "deploy/prod"],
    ["./", "."],
    [".", "."],
    ["deploy/..", "."],
  ])("normalises path %j to %j", (input, out) => {
    const config = parseConfig(`environments:\n  p:\n    path: ${JSON.stringify(input)}\n    cluster: c\n`);
    expect(config.environments[0].path).toBe(out);
  });

  it("allows two environments on the same cluster, path and branch", () => {
    const text = "environments:\n  a: { path: deploy, cluster: c }\n  b: { path: ./deploy, cluster: c }\n";
    expect(parseConfig(text).environments.map((e) => e.name)).toEqual(["a", "b"]);
  });
});

describe("parseConfig: rejected files name the field and line", () => {
  it("suggests the intended key for a typo", () => {
    const issues = fixtureIssues("unknown-field.yml");
    expect(where(issues)).toEqual([
      ["environments.production.aprovals", 5],
      ["environments.production.drift.intervall", 8],
      ["environments.production.on_failure", 9],
      ["environments.production.colour", 10],
    ]);
    expect(issues[0].message).toBe("unknown field; did you mean approvals?");
    expect(issues[1].message).toContain("did you mean interval?");
    expect(issues[2].message).toContain("did you mean onFailure?");
    expect(issues[3].message).toContain("expected one of path, cluster");
    expect(issues.every((i) => i.file === "unknown-field.yml")).toBe(true);
  });

  it("refuses paths that are absolute or leave the repository", () => {
    const issues = fixtureIssues("path-escapes.yml");
    expect(where(issues)).toEqual([
      ["environments.escapes.path", 3],
      ["environments.absolute.path", 6],
      ["environments.parent.path", 9],
      ["environments.windows.path", 12],
    ]);
    expect(issues[0].message).toContain("outside the repository");
    expect(issues[1].message).toContain("absolute");
  });

  it("rejects an alias bomb without expanding it", () => {
    const started = Date.now();
    const issues = fixtureIssues("alias-bomb.yml");
    expect(Date.now() - started).toBeLessThan(1000);
    expect(issues.length).toBeLessThanOrEqual(9); // one per alias name, not one per use
    expect(issues.at(-1)).toMatchObject({ field: "environments", line: 11 });
    expect(issues[0].message).toContain("aliases");
  });

  it("rejects merge keys built from anchors", () => {
    expect(where(fixtureIssues("anchor-merge.yml"))).toEqual([['environments.production["<<"]', 7]]);
  });

  it("reports a duplicate environment with both lines", () => {
    const [issue, ...rest] = fixtureIssues("duplicate-environment.yml");
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({ field: "environments.production", line: 8 });
    expect(issue.message).toContain("first defined on line 2");
  });

  it("reports malformed YAML with its line", () => {
    const issues = fixtureIssues("malformed-yaml.yml");
    expect(issues).toHaveLength(1);
    expect(issues[0].field).toBe("");
    expect(issues[0].line).toBeGreaterThanOrEqual(4);
  });

  it("requires environments, and points at a misplaced environment", () => {
    const issues = fixtureIssues("missing-environments.yml");
    expect(issues.map((i) => i.field).sort()).toEqual(["environments", "production"]);
    expect(issues.find((i) => i.field === "production")?.message).toContain("the only top-level key is environments");
  });

  it("rejects a top level that is not a mapping, an empty file and empty environments", () => {
    expect(fixtureIssues("not-a-mapping.yml")[0]).toMatchObject({ field: "", line: 1 });
    expect(issuesOf(() => parseConfig(""))[0].message).toContain("empty");
    expect(issuesOf(() => parseConfig("environments: {}\n"))[0]).toMatchObject({ field: "environments", line: 1 });
    expect(issuesOf(() => parseConfig("environments:\n"))[0].message).toContain("is required");
    expect(issuesOf(() => parseConfig("environments: [a]\n"))[0].message).toContain("got a list");
  });

  it("collects every wrong type in one pass", () => {
    const issues = fixtureIssues("wrong-types.yml");
    expect(where(issues)).toEqual([
      ["environments.production.path", 3],
      ["environments.production.branch", 5],
      ["environments.production.prune", 6],
      ["environments.production.approvals", 7],
      ["environments.production.verify.timeout", 8],
      ["environments.production.verify.restartThreshold", 8],
      ["environments.production.ignoreDifferences", 9],
      ["environments.production.images.allowMutable", 10],
      ["environments.production.autoApproveReverts", 11],
    ]);
    expect(issues[2].message).toContain("write true or false");
    expect(issues[5].message).toContain("got 1.5");
  });

  it("rejects out-of-range numbers", () => {
    const issues = fixtureIssues("bad-numbers.yml");
    expect(where(issues)).toEqual([
      ["environments.production.approvals.required", 5],
      ["environments.production.verify.timeout", 6],
      ["environments.production.verify.restartThreshold", 6],
      ["environments.production.drift.interval", 7],
      ["environments.production.dangerous.maxDeleteShare", 8],
      ["environments.production.dangerous.extraApprovals", 8],
    ]);
    expect(issues[3].message).toBe("must be at least 60 seconds, got 59");
  });

  it("rejects bad environment names", () => {
    const issues = fixtureIssues("bad-environment-name.yml");
    expect(issues.map((i) => i.line)).toEqual([2, 5, 8]);
    expect(issues[0].field).toBe("environments.Production");
    expect(issues[2].message).toContain("at most 63 characters");
  });

  it("rejects invalid regular expressions and JSON pointers", () => {
    expect(where(fixtureIssues("invalid-regex.yml"))).toEqual([["environments.production.images.allowedTags", 5]]);
    expect(where(fixtureIssues("invalid-json-pointer.yml"))).toEqual([
      ["environments.production.ignoreDifferences[0].jsonPointers[1]", 9],
      ["environments.production.ignoreDifferences[0].jsonPointers[2]", 10],
      ["environments.production.ignoreDifferences[0].jsonPointers[3]", 11],
      ["environments.production.ignoreDifferences[1].kind", 12],
      ["environments.production.ignoreDifferences[1].jsonPointers", 13],
    ]);
  });

  it("rejects enum values out of range, with a suggestion when close", () => {
    const issues = fixtureIssues("bad-enums.yml");
    expect(where(issues)).toEqual([
      ["environments.production.onFailure", 5],
      ["environments.production.drift.action", 6],
    ]);
    expect(issues[0].message).toContain("revert-pr, revert-merge, none");
    expect(issues[1].message).toContain("did you mean heal?");
  });

  it("requires path and cluster", () => {
    expect(where(fixtureIssues("missing-required.yml"))).toEqual([
      ["environments.production.path", 2],
      ["environments.production.cluster", 2],
      ["environments.staging.cluster", 4],
    ]);
  });

  it("checks reviewers and that the approval policy can be met", () => {
    const unmet = fixtureIssues("unsatisfiable-approvals.yml");
    expect(where(unmet)).toEqual([["environments.production.approvals.required", 5]]);
    expect(unmet[0].message).toContain("only 2 users"); // alice and @alice are one user
    const bad = fixtureIssues("bad-reviewers.yml");
    expect(bad.map((i) => i.field)).toEqual([0, 1, 2].map((i) => `environments.production.approvals.from[${i}]`));
    expect(bad[0].message).toContain('write it as "@acme/sre"');
  });

  it("rejects files over 1 MiB before parsing", () => {
    const text = "environments: {}\n" + "#".repeat(1024 * 1024);
    const [issue] = issuesOf(() => parseConfig(text));
    expect(issue.message).toContain("1 MiB");
  });

  it.each([
    ["brackets", "[".repeat(500_000)],
    ["block sequences", "- ".repeat(400_000) + "x\n"],
  ])("rejects deep nesting (%s) quickly", (_, text) => {
    const started = Date.now();
    const [issue] = issuesOf(() => parseConfig(text));
    expect(issue.message).toContain("nested deeper");
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("rejects several YAML documents in one file", () => {
    const issues = issuesOf(() => parseConfig("environments: {}\n---\nenvironments: {}\n"));
    expect(issues[0].line).toBe(2);
  });

  it("caps the number of issues it collects", () => {
    const envs = Array.from({ length: 300 }, (_, i) => `  e${i}: { path: /abs }`).join("\n");
    const issues = issuesOf(() => parseConfig(`environments:\n${envs}\n`));
    expect(issues.length).toBe(101);
    expect(issues.at(-1)?.message).toMatch(/more problems not shown/);
  });

  it("summarises issues as file:line: field: message in the error message", () => {
    try {
      parseConfig(fixture("unknown-field.yml"), ".github/converge.yml");
    } catch (e) {
      expect((e as Error).message).toContain(".github/converge.yml:5: environments.production.aprovals: unknown field; did you mean approvals?");
      return;
    }
    throw new Error("expected a ConfigError");
  });
});

describe("parseConfigValue", () => {
  it("accepts a value parsed elsewhere with the same result as the text", () => {
    const value = {
      environments: {
        production: { path: "deploy/production", cluster: "prod-eu", approvals: { required: 2, from: ["@acme/sre"] } },
      },
    };
    const fromValue = parseConfigValue(value);
    const fromText = parseConfig("environments:\n  production:\n    path: deploy/production\n    cluster: prod-eu\n    approvals: { required: 2, from: ['@acme/sre'] }\n");
    expect(fromValue).toEqual(fromText);
  });

  it("reports the same issues, without lines", () => {
    const issues = issuesOf(() => parseConfigValue({ environments: { production: { path: "../x", cluster: "c", aprovals: {} } } }, "cfg.yml"));
    expect(issues).toEqual([
      { file: "cfg.yml", field: "environments.production.aprovals", message: "unknown field; did you mean approvals?" },
      { file: "cfg.yml", field: "environments.production.path", message: '"../x" points outside the repository' },
    ]);
  });

  it("rejects null (no config file) and treats __proto__ as an unknown key", () => {
    expect(issuesOf(() => parseConfigValue(null))[0].message).toContain("empty");
    const polluted = JSON.parse('{"environments":{"p":{"path":"a","cluster":"c","__proto__":{"prune":false}}}}');
    expect(issuesOf(() => parseConfigValue(polluted)).map((i) => i.field)).toEqual(["environments.p.__proto__"]);
  });
});

describe("environment url", () => {
  it("accepts an http(s) URL and rejects anything else, naming the field", async () => {
    const { parseConfig, ConfigError } = await import("../../src/config/index.js");
    const ok = parseConfig("environments:\n  prod:\n    path: deploy\n    cluster: c\n    url: https://shop.example.com\n");
    expect(ok.environments[0]!.url).toBe("https://shop.example.com");
    try {
      parseConfig("environments:\n  prod:\n    path: deploy\n    cluster: c\n    url: javascript:alert(1)\n");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as InstanceType<typeof ConfigError>).issues[0]).toMatchObject({ field: "environments.prod.url", line: 5 });
    }
  });
});
