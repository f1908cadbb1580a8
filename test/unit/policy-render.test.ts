import { describe, expect, it } from "vitest";
import { renderGateText } from "../../src/policy/index.js";

describe("renderGateText", () => {
  it("unmet as unchecked, met as checked", () => {
    const text = renderGateText({ conclusion: "failure", title: "t", unmet: ["production: needs 1 approval on abc1234 (has none)"], met: ["production: preview for abc1234 succeeded"] });
    expect(text).toBe("- [ ] production: needs 1 approval on abc1234 (has none)\n- [x] production: preview for abc1234 succeeded\n");
  });
  it("escapes HTML and markdown from PR-controlled strings", () => {
    const text = renderGateText({ conclusion: "failure", title: "t", unmet: ['production: image "x<img src=y>*_[a](b)" in Deployment a/b'], met: [] });
    expect(text).toBe('- [ ] production: image "x&lt;img src=y&gt;\\*\\_\\[a\\](b)" in Deployment a/b\n');
  });
  it("one line per condition", () => {
    expect(renderGateText({ conclusion: "failure", title: "t", unmet: ["a\nb"], met: [] })).toBe("- [ ] a b\n");
  });
  it("stays within the check run limit", () => {
    const unmet = Array.from({ length: 2000 }, (_, i) => `production: condition ${i} ${"x".repeat(60)}`);
    const text = renderGateText({ conclusion: "failure", title: "t", unmet, met: [] });
    expect(text.length).toBeLessThanOrEqual(65_535);
    expect(text).toMatch(/- … and \d+ more conditions not shown\n$/);
  });
  it("nothing to check", () => {
    expect(renderGateText({ conclusion: "neutral", title: "no environment affected", unmet: [], met: [] })).toMatch(/nothing to approve/);
  });
});
