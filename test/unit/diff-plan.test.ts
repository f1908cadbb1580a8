import { describe, expect, it } from "vitest";
import { actions, counts, planCase } from "./diff-cases.js";

const replicasIgnored = [{ group: "apps", kind: "Deployment", jsonPointers: ["/spec/replicas"] }];

describe("buildPlan on fixtures", () => {
  it("unchanged-with-server-noise", () => expect(counts(planCase("unchanged-with-server-noise"))).toBe("create 0, update 0, delete 0, unchanged 2"));
  it("image-change", () => expect(planCase("image-change").changes[0].diff).toMatch(/^-[ -]+image: shop\/web:1\.0\n\+[ -]+image: shop\/web:1\.1$/m));
  it("image-change shows only the image", () => expect(planCase("image-change").changes[0].diff.split("\n").filter((l) => /^[-+] /.test(l))).toHaveLength(2));
  it("defaults-only", () => expect(counts(planCase("defaults-only"))).toBe("create 0, update 0, delete 0, unchanged 1"));
  it("secret-value-change", () => expect(planCase("secret-value-change").changes[0].secretKeys).toEqual([{ key: "password", change: "changed" }, { key: "token", change: "added" }]));
  it("secret-stringdata-vs-data-equal", () => expect(counts(planCase("secret-stringdata-vs-data-equal"))).toBe("create 0, update 0, delete 0, unchanged 1"));
  it("ignore-replicas", () => expect(counts(planCase("ignore-replicas", { ignore: replicasIgnored }))).toBe("create 0, update 0, delete 0, unchanged 1"));
  it("ignore-replicas without the rule", () => expect(counts(planCase("ignore-replicas"))).toBe("create 0, update 1, delete 0, unchanged 0"));
  it("new-object", () => expect(actions(planCase("new-object"))).toEqual(["create Service shop/api", "create Deployment shop/api"]));
  it("new-object diff is the whole object", () => expect(planCase("new-object").changes[0].diff).toMatch(/^--- live\/Service\/shop\/api\n\+\+\+ desired\/Service\/shop\/api\n@@ -0,0 \+1,\d+ @@\n\+apiVersion: v1\n\+kind: Service\n/));
  it("prune-delete", () => expect(actions(planCase("prune-delete"))).toEqual(["delete ConfigMap shop/gone"]));
  it("prune-delete is dangerous", () => expect(planCase("prune-delete").changes[1].dangers).toEqual(["deletes ConfigMap shop/gone"]));
  it("not-in-inventory-never-deleted", () => expect(actions(planCase("not-in-inventory-never-deleted"))).toEqual([]));
  it("prune-off", () => expect(actions(planCase("prune-off", { prune: false }))).toEqual([]));
  it("immutable-selector-danger", () => expect(planCase("immutable-selector-danger").changes[0].dangers).toEqual(["changes immutable field spec.selector: the object will be re-created"]));
  it("namespace-delete-danger", () => expect(planCase("namespace-delete-danger").changes.map((c) => [c.action, c.dangers])).toEqual([["unchanged", []], ["delete", ["deletes a Namespace: every object in it is lost"]]]));
  it("client-side-fallback", () => expect(counts(planCase("client-side-fallback", { clientSideFallback: true }))).toBe("create 0, update 1, delete 0, unchanged 1"));
  it("client-side-fallback shows only the image", () => expect(planCase("client-side-fallback", { clientSideFallback: true }).changes[1].diff.split("\n").filter((l) => /^[-+] /.test(l))).toEqual(["-          image: shop/web:1.0", "+          image: shop/web:1.1"]));
  it("client-side-fallback is needed for defaults", () => expect(counts(planCase("client-side-fallback"))).toBe("create 0, update 2, delete 0, unchanged 0"));
});

describe("buildPlan bookkeeping", () => {
  it("skips desired objects whose dry-run failed", () => expect(counts(planCase("image-change", { predicted: new Map() }))).toBe("create 0, update 0, delete 0, unchanged 0"));
  it("carries errors", () => expect(planCase("image-change", { errors: [{ reason: "DryRunFailed", message: "boom" }] }).errors).toHaveLength(1));
  it("keeps the source", () => expect(planCase("image-change").changes[0].source).toEqual({ file: "deploy/image-change.yaml", doc: 0 }));
  it("never prunes an inventory member that failed dry-run", () => expect(actions(planCase("prune-delete", { predicted: new Map() }))).toEqual(["delete ConfigMap shop/gone"]));
});
