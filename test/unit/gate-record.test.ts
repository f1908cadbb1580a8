import { describe, expect, it } from "vitest";
import { parseGateRecord, planFromRecord, recordFromPlan, serializeGateRecord } from "../../src/report/gate-record.js";
import type { Plan } from "../../src/diff/plan.js";

const plan: Plan = {
  environment: "production",
  summary: { create: 0, update: 1, delete: 1, unchanged: 3 },
  errors: [],
  clientSideFallback: false,
  changes: [
    { action: "update", id: { group: "apps", kind: "Deployment", namespace: "shop", name: "web" }, apiVersion: "apps/v1", diff: "-a\n+b", dangers: [] },
    { action: "delete", id: { group: "", kind: "ConfigMap", namespace: "shop", name: "old" }, apiVersion: "v1", diff: "-x", dangers: ["deletes ConfigMap shop/old"] },
  ],
};

describe("gate record", () => {
  it("round-trips through the check-run summary text", () => {
    const env = recordFromPlan(plan, "abc", [{ object: "Deployment shop/web", container: "web", image: "nginx:1.2.3" }], 4);
    const text = `## Summary\n\nbody\n${serializeGateRecord({ headSha: "abc", environments: [env] })}\n`;
    const back = parseGateRecord(text);
    expect(back?.headSha).toBe("abc");
    const reduced = planFromRecord(back!.environments[0]!);
    expect(reduced.changes.map((c) => c.action)).toEqual(["delete"]);
    expect(reduced.changes[0]!.dangers).toEqual(["deletes ConfigMap shop/old"]);
    expect(back!.environments[0]!.images).toHaveLength(1);
  });

  it("ignores text without a record or with a corrupt one", () => {
    expect(parseGateRecord("nothing here")).toBeUndefined();
    expect(parseGateRecord("<!-- converge:gate !!!notbase64 -->")).toBeUndefined();
  });
});
