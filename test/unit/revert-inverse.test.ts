import { describe, expect, it } from "vitest";
import { inverseChanges } from "../../src/revert/inverse.js";

const lines = (n: number, change?: [number, string]) => Array.from({ length: n }, (_, i) => (change && change[0] === i ? change[1] : `line ${i}`)).join("\n") + "\n";

describe("inverseChanges", () => {
  it("restores the previous content when the file did not change since", () => {
    const r = inverseChanges([{ path: "a.yaml", before: "image: v1\n", failed: "image: v2\n", current: "image: v2\n" }]);
    expect(r.changes.get("a.yaml")).toBe("image: v1\n");
    expect(r.conflicts).toEqual([]);
  });

  it("deletes a file the failed commit added, and re-creates one it deleted", () => {
    const r = inverseChanges([
      { path: "new.yaml", before: undefined, failed: "x\n", current: "x\n" },
      { path: "gone.yaml", before: "y\n", failed: undefined, current: undefined },
    ]);
    expect(r.changes.get("new.yaml")).toBeNull();
    expect(r.changes.get("gone.yaml")).toBe("y\n");
  });

  it("applies the inverse patch three-way when other lines changed since", () => {
    const before = lines(30);
    const failed = lines(30, [5, "image: broken"]);
    const current = lines(30, [5, "image: broken"]).replace("line 25", "line 25 edited later");
    const r = inverseChanges([{ path: "web.yaml", before, failed, current }]);
    expect(r.conflicts).toEqual([]);
    expect(r.changes.get("web.yaml")).toBe(before.replace("line 25", "line 25 edited later"));
  });

  it("reports a conflict when the same lines changed again, and guesses nothing", () => {
    const r = inverseChanges([{ path: "web.yaml", before: lines(10, [5, "image: v1"]), failed: lines(10, [5, "image: broken"]), current: lines(10, [5, "image: v3"]) }]);
    expect(r.changes.size).toBe(0);
    expect(r.conflicts).toEqual([{ path: "web.yaml", why: "the same lines were changed again after the failed commit" }]);
  });

  it("leaves a file alone that someone already reverted", () => {
    const r = inverseChanges([{ path: "a", before: "1\n", failed: "2\n", current: "1\n" }]);
    expect(r.changes.size).toBe(0);
    expect(r.conflicts).toEqual([]);
  });
});
