import { describe, expect, it } from "vitest";
import type { Plan, PlanChange, PlanError } from "../../src/diff/plan.js";
import { MAX_ANNOTATIONS, previewCheckOutput } from "../../src/report/checks.js";

const SHA = "abc1234def5678abc1234def5678abc1234def56";

function change(name: string, over: Partial<PlanChange> = {}): PlanChange {
  return {
    action: "update",
    id: { group: "apps", kind: "Deployment", namespace: "shop", name },
    apiVersion: "apps/v1",
    source: { file: `deploy/prod/${name}.yaml` },
    diff: Array.from({ length: 20 }, (_, i) => `-  image: shop/${name}:${i}\n+  image: shop/${name}:${i + 1}`).join("\n"),
    dangers: [],
    ...over,
  };
}

function plan(environment: string, changes: PlanChange[], over: Partial<Plan> = {}): Plan {
  const count = (a: PlanChange["action"]) => changes.filter((c) => c.action === a).length;
  return {
    environment,
    summary: { create: count("create"), update: count("update"), delete: count("delete"), unchanged: count("unchanged") },
    changes,
    errors: [],
    clientSideFallback: false,
    ...over,
  };
}

/** Every backtick fence opened is closed; <details> balanced outside code. */
function expectValid(markdown: string, limit: number): void {
  expect(markdown.length).toBeLessThanOrEqual(limit);
  let open: number | undefined;
  let opened = 0;
  let closed = 0;
  for (const line of markdown.split("\n")) {
    if (open === undefined) {
      const start = /^ {0,3}(`{3,})[^`]*$/.exec(line);
      if (start) open = start[1].length;
      opened += line.split("<details>").length - 1;
      closed += line.split("</details>").length - 1;
    } else if ((/^ {0,3}(`+)\s*$/.exec(line)?.[1].length ?? 0) >= open) open = undefined;
  }
  expect(open).toBeUndefined();
  expect(opened).toBe(closed);
}

describe("previewCheckOutput", () => {
  it("is neutral when no environment is affected", () => {
    const { conclusion, output } = previewCheckOutput([], { headSha: SHA });
    expect(conclusion).toBe("neutral");
    expect(output.title).toBe("No environment affected");
    expect(output.annotations).toEqual([]);
  });

  it("succeeds with one summary line per environment in the title", () => {
    const { conclusion, output } = previewCheckOutput([plan("production", [change("web")]), plan("staging", [change("web", { action: "unchanged", diff: "" })])], { headSha: SHA });
    expect(conclusion).toBe("success");
    expect(output.title).toBe("production: 1 to update · staging: no changes");
    expect(output.summary).toContain("- **production**: 1 to update");
    expect(output.summary).toContain("- **staging**: no changes (1 unchanged)");
    expect(output.text).toContain("<details><summary>~ update <code>Deployment shop/web</code>");
    expect(output.text).not.toContain("#### staging");
  });

  it("omits the text when nothing changes", () => {
    const { output } = previewCheckOutput([plan("staging", [])], { headSha: SHA });
    expect(output.text).toBeUndefined();
  });

  it("fails on errors, annotating each one that names a file", () => {
    const errors: PlanError[] = [
      { reason: "ManifestInvalid", message: "metadata.name is required <b>", file: "deploy/prod/web.yaml", line: 12 },
      { reason: "UnknownKind", message: "no kind Widget", file: "deploy/prod/widget.yaml" },
      { reason: "ClusterUnreachable", message: "connect ECONNREFUSED" },
    ];
    const { conclusion, output } = previewCheckOutput([plan("production", [], { errors }), plan("staging", [])], { headSha: SHA });
    expect(conclusion).toBe("failure");
    expect(output.title).toBe("3 errors in production");
    expect(output.summary).toContain("- **production** · `ManifestInvalid` · deploy/prod/web.yaml:12 — metadata.name is required &lt;b&gt;");
    expect(output.annotations).toEqual([
      { path: "deploy/prod/web.yaml", start_line: 12, end_line: 12, annotation_level: "failure", title: "ManifestInvalid (production)", message: "metadata.name is required <b>" },
      { path: "deploy/prod/widget.yaml", start_line: 1, end_line: 1, annotation_level: "failure", title: "UnknownKind (production)", message: "no kind Widget" },
    ]);
  });

  it("caps annotations at GitHub's 50 per request and each message at 64 KiB", () => {
    const errors: PlanError[] = Array.from({ length: 60 }, (_, i) => ({ reason: "ValidationFailed", message: `bad ${i}`, file: `f${i}.yaml`, line: i + 1 }));
    errors[0].message = "😀".repeat(40_000); // 160,000 bytes of UTF-8
    const { output } = previewCheckOutput([plan("production", [], { errors })], { headSha: SHA });
    expect(output.annotations).toHaveLength(MAX_ANNOTATIONS);
    const message = output.annotations[0].message;
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(64 * 1024);
    expect(message).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(output.summary.length).toBeLessThanOrEqual(65535);
  });

  it("truncates the text at an object boundary with a note", () => {
    const changes = Array.from({ length: 400 }, (_, i) => change(`web-${i}`));
    const { output } = previewCheckOutput([plan("production", changes)], { headSha: SHA });
    const text = output.text ?? "";
    expectValid(text, 65535);
    const shown = (text.match(/<details>/g) ?? []).length;
    expect(shown).toBeLessThan(400);
    expect(text).toContain(`… ${400 - shown} more objects not shown: the check run text is limited to 65535 characters`);
  });

  it("cuts one huge diff at a line boundary", () => {
    const diff = Array.from({ length: 4000 }, (_, i) => `+  k${i}: ${"v".repeat(30)}`).join("\n");
    const { output } = previewCheckOutput([plan("production", [change("big", { diff })])], { headSha: SHA, maxChars: 20_000 });
    expectValid(output.text ?? "", 20_000);
    expect(output.text).toMatch(/… diff truncated \(\d+ more lines\) — run `converge diff` for the whole diff/);
  });
});
