import { describe, expect, it } from "vitest";
import { evaluateGate, requiredTeamsOrUsers, teamsNamed } from "../../src/policy/index.js";
import { HEAD, OLD, change, env, envInput, gate, plan, review } from "./policy-cases.js";

const sre = new Map([["@acme/sre", new Set(["bob", "carol"])]]);
const fromSre = (required = 1, extra: string[] = []) => env("production", { approvals: { required, from: ["@acme/sre", ...extra] } });

describe("approvals", () => {
  it("approval on head passes", () => {
    const r = evaluateGate(gate({ reviews: [review("bob", "APPROVED")] }));
    expect(r.conclusion).toBe("success");
    expect(r.title).toBe("approved: production");
    expect(r.met).toContain("production: 1 approval on abc1234 (bob)");
  });
  it("approval on old commit doesn't count", () => {
    const r = evaluateGate(gate({ reviews: [review("bob", "APPROVED", OLD)] }));
    expect(r.conclusion).toBe("failure");
    expect(r.title).toBe("needs 1 approval on abc1234");
    expect(r.unmet).toEqual(["production: needs 1 approval on abc1234 (has none; not counted: bob (approved def5678))"]);
  });
  it("approve then new push → red", () => {
    const approved = gate({ headSha: OLD, environments: [envInput({ previewSha: OLD })], reviews: [review("bob", "APPROVED", OLD)] });
    expect(evaluateGate(approved).conclusion).toBe("success");
    expect(evaluateGate({ ...approved, headSha: HEAD, environments: [envInput()] }).conclusion).toBe("failure");
  });
  it("team member counts / non-member doesn't", () => {
    const input = gate({ teamMembers: sre, environments: [envInput({ env: fromSre() })] });
    expect(evaluateGate({ ...input, reviews: [review("carol", "APPROVED")] }).conclusion).toBe("success");
    const outsider = evaluateGate({ ...input, reviews: [review("mallory", "APPROVED")] });
    expect(outsider.conclusion).toBe("failure");
    expect(outsider.unmet[0]).toBe("production: needs 1 approval on abc1234 from @acme/sre (has none; not counted: mallory (not an allowed reviewer))");
  });
  it("unresolved team counts nobody and says so", () => {
    const r = evaluateGate(gate({ environments: [envInput({ env: fromSre() })], reviews: [review("carol", "APPROVED")] }));
    expect(r.unmet[0]).toContain("members of @acme/sre could not be resolved");
  });
  it("author's own approval ignored", () => {
    const r = evaluateGate(gate({ author: "Dev", reviews: [review("dev", "APPROVED")] }));
    expect(r.conclusion).toBe("failure");
    expect(r.unmet[0]).toBe("production: needs 1 approval on abc1234 (has none)");
  });
  it("dismissed approval removed", () => {
    expect(evaluateGate(gate({ reviews: [review("bob", "APPROVED", HEAD, 1), review("bob", "DISMISSED", HEAD, 2)] })).conclusion).toBe("failure");
  });
  it("commented after approval stays approved", () => {
    expect(evaluateGate(gate({ reviews: [review("bob", "COMMENTED", HEAD, 3), review("bob", "APPROVED", HEAD, 1)] })).conclusion).toBe("success");
  });
  it("pending review changes nothing", () => {
    expect(evaluateGate(gate({ reviews: [review("bob", "APPROVED", HEAD, 1), review("bob", "PENDING", HEAD, 2)] })).conclusion).toBe("success");
  });
  it("2 required with 1 → exact title text", () => {
    const r = evaluateGate(gate({ teamMembers: sre, environments: [envInput({ env: fromSre(2, ["alice"]) })], reviews: [review("bob", "APPROVED")] }));
    expect(r.title).toBe("needs 1 more approval from @acme/sre or alice on abc1234");
    expect(r.unmet).toEqual(["production: needs 2 approvals on abc1234 from @acme/sre or alice (has 1: bob)"]);
  });
  it("required 0 means no approval needed", () => {
    const r = evaluateGate(gate({ environments: [envInput({ env: env("production", { approvals: { required: 0, from: [] } }) })] }));
    expect(r.conclusion).toBe("success");
    expect(r.met).toContain("production: no approval required");
  });
  it("case-insensitive users", () => {
    const input = gate({
      author: "DEV",
      teamMembers: new Map([["@acme/sre", new Set(["bob"])]]),
      environments: [envInput({ env: env("production", { approvals: { required: 2, from: ["@ACME/SRE", "@Alice"] } }) })],
      reviews: [review("BOB", "APPROVED"), review("alice", "APPROVED"), review("dev", "APPROVED")],
    });
    expect(evaluateGate(input).conclusion).toBe("success");
  });
  it("same user twice counts once", () => {
    const r = evaluateGate(gate({ environments: [envInput({ env: env("production", { approvals: { required: 2, from: [] } }) })], reviews: [review("bob", "APPROVED", HEAD, 1), review("Bob", "APPROVED", HEAD, 2)] }));
    expect(r.title).toBe("needs 1 more approval on abc1234");
  });
});

describe("changes requested", () => {
  it("changes requested blocks across commits until re-review approves", () => {
    const blocked = gate({ reviews: [review("carol", "CHANGES_REQUESTED", OLD, 1), review("bob", "APPROVED", HEAD, 2), review("carol", "COMMENTED", HEAD, 3)] });
    const r = evaluateGate(blocked);
    expect(r.conclusion).toBe("failure");
    expect(r.title).toBe("changes requested by carol");
    expect(r.unmet[0]).toMatch(/^production: changes requested by carol on def5678; /);
    expect(evaluateGate({ ...blocked, reviews: [...blocked.reviews, review("carol", "APPROVED", HEAD, 4)] }).conclusion).toBe("success");
  });
  it("dismissed change request no longer blocks", () => {
    expect(evaluateGate(gate({ reviews: [review("carol", "DISMISSED", OLD, 1), review("bob", "APPROVED", HEAD, 2)] })).conclusion).toBe("success");
  });
  it("change request from someone outside `from` does not block", () => {
    const r = evaluateGate(gate({ teamMembers: sre, environments: [envInput({ env: fromSre() })], reviews: [review("mallory", "CHANGES_REQUESTED"), review("bob", "APPROVED")] }));
    expect(r.conclusion).toBe("success");
  });
});

describe("preview", () => {
  const approved = { reviews: [review("bob", "APPROVED")] };
  it("no preview yet", () => {
    const r = evaluateGate(gate({ ...approved, environments: [envInput({ plan: undefined, previewSha: undefined })] }));
    expect(r.title).toBe("no preview yet for abc1234");
  });
  it("stale preview", () => {
    const r = evaluateGate(gate({ ...approved, environments: [envInput({ previewSha: OLD })] }));
    expect(r.conclusion).toBe("failure");
    expect(r.unmet).toEqual(["production: preview is stale (computed for def5678, head is abc1234)"]);
  });
  it("preview errors", () => {
    const errors = [{ reason: "ManifestInvalid" as const, message: "a" }, { reason: "DryRunFailed" as const, message: "b" }];
    const r = evaluateGate(gate({ ...approved, environments: [envInput({ plan: plan([], errors) })] }));
    expect(r.title).toBe("preview has 2 errors");
    expect(r.unmet).toEqual(["production: preview for abc1234 has 2 errors: see Converge preview"]);
  });
  it("preview problems come before approvals in the title", () => {
    const r = evaluateGate(gate({ environments: [envInput({ previewSha: OLD })] }));
    expect(r.title).toBe("preview is stale (computed for def5678, head is abc1234) (+1 more)");
  });
});

describe("dangerous changes", () => {
  const deletes = plan([change("update", "Deployment", "web"), change("delete", "ConfigMap", "old", ["deletes ConfigMap shop/old"])]);
  const approved = { reviews: [review("bob", "APPROVED")] };
  it("dangerous without label → red with the label name", () => {
    const r = evaluateGate(gate({ ...approved, environments: [envInput({ plan: deletes })] }));
    expect(r.conclusion).toBe("failure");
    expect(r.title).toBe("destructive change needs label converge/allow-destructive");
    expect(r.unmet).toEqual(["production: 1 dangerous change (deletes ConfigMap shop/old) needs an explicit opt-in: add the label converge/allow-destructive"]);
  });
  it("with label → green", () => {
    const r = evaluateGate(gate({ ...approved, labels: ["Converge/Allow-Destructive"], environments: [envInput({ plan: deletes })] }));
    expect(r.conclusion).toBe("success");
    expect(r.met).toContain("production: 1 dangerous change (deletes ConfigMap shop/old) acknowledged by the label converge/allow-destructive");
  });
  it("names the first 3 dangers and how many more", () => {
    const many = plan(["a", "b", "c", "d", "e"].map((n) => change("delete", "ConfigMap", n, [`deletes ConfigMap shop/${n}`])));
    const r = evaluateGate(gate({ ...approved, environments: [envInput({ plan: many, liveObjectCount: 100 })] }));
    expect(r.unmet[0]).toContain("5 dangerous changes (deletes ConfigMap shop/a; deletes ConfigMap shop/b; deletes ConfigMap shop/c and 2 more)");
  });
  it("prefixes dangers that don't name their object", () => {
    const immutable = plan([change("update", "Deployment", "web", ["changes immutable field spec.selector: the object will be re-created"])]);
    const r = evaluateGate(gate({ ...approved, environments: [envInput({ plan: immutable })] }));
    expect(r.unmet[0]).toContain("(Deployment shop/web: changes immutable field spec.selector");
  });
  it("extraApprovals path", () => {
    const policy = env("production", { dangerous: { label: "converge/allow-destructive", maxDeleteShare: 0.2, extraApprovals: 1 } });
    const input = gate({ environments: [envInput({ env: policy, plan: deletes })], reviews: [review("bob", "APPROVED")] });
    const one = evaluateGate(input);
    expect(one.conclusion).toBe("failure");
    expect(one.unmet[0]).toBe("production: 1 dangerous change (deletes ConfigMap shop/old) needs an explicit opt-in: add the label converge/allow-destructive, or get 2 approvals on abc1234 (1 beyond the required 1; has 1)");
    const two = evaluateGate({ ...input, reviews: [...input.reviews, review("carol", "APPROVED")] });
    expect(two.conclusion).toBe("success");
    expect(two.met).toContain("production: 1 dangerous change (deletes ConfigMap shop/old) acknowledged by 2 approvals on abc1234 (1 beyond the required 1)");
  });
  it("delete share above threshold", () => {
    // Deletes with no per-change danger still trip the share rule: 3 of 10 > 20%.
    const prune = plan(["a", "b", "c"].map((n) => change("delete", "ConfigMap", n)));
    const r = evaluateGate(gate({ ...approved, environments: [envInput({ plan: prune, liveObjectCount: 10 })] }));
    expect(r.unmet).toEqual(["production: 1 dangerous change (deletes 3 of 10 live objects (30%, above the 20% limit)) needs an explicit opt-in: add the label converge/allow-destructive"]);
    expect(evaluateGate(gate({ ...approved, environments: [envInput({ plan: prune, liveObjectCount: 20 })] })).conclusion).toBe("success");
  });
  it("dangers of a stale plan are not judged", () => {
    const r = evaluateGate(gate({ ...approved, environments: [envInput({ plan: deletes, previewSha: OLD })] }));
    expect(r.unmet).toHaveLength(1);
  });
});

describe("Converge revert PRs", () => {
  const deletes = plan([change("delete", "ConfigMap", "new", ["deletes ConfigMap shop/new"])]);
  it("revert PR auto-approve", () => {
    const r = evaluateGate(gate({ isConvergeRevert: true, environments: [envInput({ plan: deletes })] }));
    expect(r.conclusion).toBe("success");
    expect(r.met).toContain("production: approvals not required: this is Converge's own revert of a failed deploy (autoApproveReverts)");
    expect(r.met.find((m) => m.includes("dangerous"))).toMatch(/allowed: this is Converge's own revert, restoring a state that was reviewed/);
  });
  it("revert PR still needs a successful preview", () => {
    expect(evaluateGate(gate({ isConvergeRevert: true, environments: [envInput({ plan: undefined })] })).conclusion).toBe("failure");
  });
  it("revert PR without autoApproveReverts needs reviews", () => {
    const r = evaluateGate(gate({ isConvergeRevert: true, environments: [envInput({ env: env("production", { autoApproveReverts: false }) })] }));
    expect(r.title).toBe("needs 1 approval on abc1234");
  });
});

describe("gate result", () => {
  it("no environments neutral", () => {
    expect(evaluateGate(gate({ environments: [] }))).toEqual({ conclusion: "neutral", title: "no environment affected", unmet: [], met: [] });
  });
  it("success title lists every environment", () => {
    const r = evaluateGate(gate({ reviews: [review("bob", "APPROVED")], environments: [envInput(), envInput({ env: env("staging") })] }));
    expect(r.title).toBe("approved: production, staging");
  });
  it("title counts the other unmet conditions", () => {
    const r = evaluateGate(gate({ environments: [envInput(), envInput({ env: env("staging") })] }));
    expect(r.title).toBe("needs 1 approval on abc1234 (+1 more)");
    expect(r.unmet.map((u) => u.split(":")[0])).toEqual(["production", "staging"]);
  });
});

describe("team resolution", () => {
  it("requiredTeamsOrUsers", () => {
    expect(requiredTeamsOrUsers(["alice", "@Bob", "@Acme/SRE", "acme/ops", ""])).toEqual({ users: ["alice", "bob"], teams: ["@acme/sre", "@acme/ops"] });
  });
  it("teamsNamed", () => {
    expect(teamsNamed([fromSre(), env("staging", { approvals: { required: 1, from: ["@acme/dev", "@ACME/sre", "alice"] } })])).toEqual(["@acme/dev", "@acme/sre"]);
  });
});

describe("approvals from anyone with write access", () => {
  it("does not count an approval from a reviewer without write access when `from` is empty", async () => {
    const { evaluateGate } = await import("../../src/policy/index.js");
    const { parseConfig } = await import("../../src/config/index.js");
    const env = parseConfig("environments:\n  prod:\n    path: deploy\n    cluster: c\n").environments[0]!;
    const plan = { environment: "prod", summary: { create: 0, update: 1, delete: 0, unchanged: 0 }, changes: [], errors: [], clientSideFallback: false };
    const base = { headSha: "h".repeat(40), author: "alice", labels: [], teamMembers: new Map(), isConvergeRevert: false, environments: [{ env, plan, previewSha: "h".repeat(40), images: [] }] };
    const reviews = [{ user: "mallory", state: "APPROVED" as const, commitId: "h".repeat(40), submittedAt: "2026-01-01T00:00:00Z" }];
    expect(evaluateGate({ ...base, reviews, writers: new Set(["bob"]) }).conclusion).toBe("failure");
    expect(evaluateGate({ ...base, reviews, writers: new Set(["mallory"]) }).conclusion).toBe("success");
    expect(evaluateGate({ ...base, reviews }).conclusion).toBe("success"); // writers unknown: any reviewer
  });
});
