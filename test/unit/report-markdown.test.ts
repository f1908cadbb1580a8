import { describe, expect, it } from "vitest";
import type { Plan, PlanChange, PlanError } from "../../src/diff/plan.js";
import { escapeInline, fenceFor, truncate } from "../../src/report/escape.js";
import { COMMENT_MARKER, parsePreviewMarker, previewMarker, renderMarkdown, renderPending } from "../../src/report/markdown.js";

const SHA = "abc1234def5678abc1234def5678abc1234def56";

// ---- plans, built inline ----

function change(name: string, over: Partial<PlanChange> = {}): PlanChange {
  return {
    action: "update",
    id: { group: "apps", kind: "Deployment", namespace: "shop", name },
    apiVersion: "apps/v1",
    source: { file: `deploy/prod/${name}.yaml` },
    diff: `--- live\n+++ desired\n@@ -1,3 +1,3 @@\n spec:\n-  replicas: 2\n+  replicas: 3\n`,
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

function many(n: number, diffLines = 8): PlanChange[] {
  return Array.from({ length: n }, (_, i) =>
    change(`web-${String(i).padStart(3, "0")}`, {
      diff: ["--- live", "+++ desired", "@@ -1 +1 @@", ...Array.from({ length: diffLines }, (_, j) => `-  image: shop/web:${j}\n+  image: shop/web:${j + 1}`)].join("\n"),
    }),
  );
}

// ---- validity checks on rendered markdown ----

interface Fenced {
  outside: string; // the body with fenced code removed
  code: string[]; // contents of each fenced block
}

/** Splits a body by CommonMark backtick fences; throws on one left open. */
function fences(body: string): Fenced {
  const outside: string[] = [];
  const code: string[] = [];
  let open: number | undefined;
  let current: string[] = [];
  for (const line of body.split("\n")) {
    if (open === undefined) {
      const start = /^ {0,3}(`{3,})[^`]*$/.exec(line);
      if (start) {
        open = start[1].length;
        current = [];
      } else outside.push(line);
      continue;
    }
    const end = /^ {0,3}(`+)\s*$/.exec(line);
    if (end && end[1].length >= open) {
      code.push(current.join("\n"));
      open = undefined;
    } else current.push(line);
  }
  if (open !== undefined) throw new Error(`fence of ${open} backticks never closed`);
  return { outside: outside.join("\n"), code };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function expectValid(bodies: string[], limit = 65536): void {
  bodies.forEach((body, i) => {
    expect(body.length, `body ${i + 1} length`).toBeLessThanOrEqual(limit);
    const { outside } = fences(body);
    expect(outside.split("<details>").length, `body ${i + 1} <details> balance`).toBe(outside.split("</details>").length);
    expect(LONE_SURROGATE.test(body), `body ${i + 1} has a split surrogate pair`).toBe(false);
    expect(parsePreviewMarker(body)).toBe(i + 1);
  });
}

/** What GitHub's mention/reference filters see: entities decoded, code removed. */
function visibleText(body: string): string {
  return fences(body)
    .outside.replace(/<code>[\s\S]*?<\/code>|`[^`\n]*`/g, "")
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/&(lt|gt|quot|amp);/g, (_, n) => ({ lt: "<", gt: ">", quot: '"', amp: "&" })[n as "lt"]);
}

function expectInert(body: string): void {
  const text = visibleText(body);
  expect(text).not.toMatch(/(^|[^\w])@[a-z0-9]/i);
  expect(text).not.toMatch(/#\d/);
  expect(text).not.toMatch(/GH-\d/i);
  expect(text).not.toMatch(/:\/\//);
  expect(fences(body).outside).not.toMatch(/<script|<img|<details open/i);
}

// ---- escape ----

describe("fenceFor", () => {
  it("is three backticks for plain content", () => expect(fenceFor("a: 1")).toBe("```"));
  it("outgrows the longest backtick run", () => expect(fenceFor("x ``` y ```` z")).toBe("`````"));
});

describe("escapeInline", () => {
  it("escapes HTML", () => expect(escapeInline(`<script>"&"</script>`)).toBe("&lt;script&gt;&quot;&amp;&quot;&lt;/script&gt;"));
  it("defuses mentions and issue references", () => {
    const out = escapeInline("@octocat @org/team #12 GH-7 owner/repo#3 https://github.com/o/r/issues/1 www.example.com");
    expect(out).toContain("@&#8203;octocat");
    expect(out).toContain("&#35;&#8203;12");
    expect(out).toContain("GH-&#8203;7");
    expect(visibleText(out)).not.toMatch(/@\w|#\d|GH-\d|:\/\/|www\./);
  });
  it("escapes markdown that is active mid-line and at the start", () => {
    expect(escapeInline("*a* _b_ `c` [d](e) ~f~ $g$")).not.toMatch(/[*_`[\]~$]/);
    expect(escapeInline("- item")).toBe("&#45; item");
    expect(escapeInline("1. item")).toBe("1&#46; item");
  });
  it("keeps a multi-line message on one line", () => expect(escapeInline("a\n\nb")).toBe("a<br><br>b"));
  it("truncate never splits a surrogate pair", () => {
    const text = "a😀😀😀";
    for (let max = 1; max <= text.length; max++) expect(LONE_SURROGATE.test(truncate(text, max))).toBe(false);
  });
});

// ---- layout ----

describe("renderMarkdown", () => {
  it("puts the marker, heading and summary lines before the blocks", () => {
    const [body, ...rest] = renderMarkdown(
      [
        plan("production", [change("web"), change("api", { action: "create" }), change("old", { action: "delete", dangers: ["deletes a Deployment"] }), change("db", { action: "unchanged", diff: "" })]),
        plan("staging", [change("web", { action: "unchanged", diff: "" })]),
      ],
      { headSha: SHA },
    );
    expect(rest).toEqual([]);
    expectValid([body]);
    expect(body.split("\n")[0]).toBe(COMMENT_MARKER);
    expect(body).toContain("### Converge preview for `abc1234`");
    expect(body).toContain("- ⚠️ **production**: 1 to create, 1 to update, 1 to delete (1 unchanged) — 1 dangerous change");
    expect(body).toContain("- **staging**: no changes (1 unchanged)");
    expect(body.indexOf("**staging**")).toBeLessThan(body.indexOf("<details>"));
    expect(body).toContain("<details><summary>~ update <code>Deployment shop/web</code> — deploy/prod/web.yaml</summary>");
    expect(body).toContain("<summary>+ create <code>Deployment shop/api</code>");
    expect(body).toContain("<summary>- <strong>deletes</strong> <code>Deployment shop/old</code> — deploy/prod/old.yaml<br>⚠️ deletes a Deployment</summary>");
    expect(body).not.toContain("shop/db");
    expect(body.indexOf("shop/web")).toBeLessThan(body.indexOf("shop/api"));
    expect(body.endsWith(`<sub>Converge · computed for \`${SHA}\` · comment \`/converge preview\` to recompute</sub>`)).toBe(true);
  });

  it("lists errors with file:line, and marks the environment", () => {
    const errors: PlanError[] = [
      { reason: "ManifestInvalid", message: "metadata.name is required", file: "deploy/prod/web.yaml", line: 12 },
      { reason: "ClusterUnreachable", message: "connect ECONNREFUSED" },
    ];
    const [body] = renderMarkdown([plan("production", [], { errors })], { headSha: SHA });
    expectValid([body]);
    expect(body).toContain("- ❌ **production**: no changes — 2 errors");
    expect(body).toContain("- `ManifestInvalid` · deploy/prod/web.yaml:12 — metadata.name is required");
    expect(body).toContain("- `ClusterUnreachable` — connect ECONNREFUSED");
  });

  it("notes a client-side comparison and a configuration change", () => {
    const [body] = renderMarkdown([plan("staging", [change("web")], { clientSideFallback: true })], { configChanged: true });
    expect(body).toContain("**staging**: dry-run was not permitted: compared client-side, server defaults and admission not included");
    expect(body).toContain("takes effect after merge");
  });

  it("lists Secret key names next to the masked diff", () => {
    const secret = change("db", {
      id: { group: "", kind: "Secret", namespace: "shop", name: "db" },
      diff: "--- live\n+++ desired\n data:\n-  password: '*** (sha256:1a2b)'\n+  password: '*** (sha256:3c4d)'\n",
      secretKeys: [
        { key: "password", change: "changed" },
        { key: "token", change: "added" },
      ],
    });
    const [body] = renderMarkdown([plan("production", [secret])]);
    expectValid([body]);
    expect(body).toContain('- key "password": changed\n- key "token": added');
    expect(body).toContain("*** (sha256:3c4d)");
  });

  it("keeps manifest backtick runs inside a longer fence", () => {
    const diff = " data:\n   README: |\n     ```\n     ````\n-    old\n+    new\n ````";
    const [body] = renderMarkdown([plan("production", [change("docs", { diff })])]);
    expectValid([body]);
    expect(body).toContain("`````diff\n");
    expect(fences(body).code).toEqual([diff]);
  });

  it("leaves HTML, mentions and issue references from manifests inert outside code", () => {
    const hostile = change("web", {
      id: { group: "apps", kind: "Deployment", namespace: "shop", name: "@octocat-#12-<details>" },
      source: { file: "deploy/@octocat/#12/<script>alert(1)</script>.yaml" },
      dangers: ["</summary></details><details open><script>x</script> @octocat fixes #12"],
      diff: " metadata:\n+  annotations: {owner: '@octocat', issue: '#12', html: '<script>x</script></details>'}",
      secretKeys: [{ key: "@octocat#1", change: "removed" }],
    });
    const errors: PlanError[] = [{ reason: "ValidationFailed", message: "ping @octocat, see GH-12 and owner/repo#12 <img src=x>", file: "@octocat/#12.yaml", line: 3 }];
    const bodies = renderMarkdown([plan("prod @octocat #12", [hostile], { errors })], { headSha: SHA });
    expectValid(bodies);
    for (const body of bodies) expectInert(body);
    expect(fences(bodies[0]).code[0]).toContain("owner: '@octocat', issue: '#12'"); // verbatim in code
  });
});

// ---- splitting ----

describe("renderMarkdown splitting", () => {
  it("splits a 400-object plan at block boundaries, labelling continuations", () => {
    const bodies = renderMarkdown([plan("production", many(400))], { headSha: SHA, checkRunUrl: "https://github.com/o/r/runs/1" });
    expect(bodies.length).toBeGreaterThan(1);
    expect(bodies.length).toBeLessThanOrEqual(5);
    expectValid(bodies);
    bodies.slice(1).forEach((body, i) => {
      expect(body.split("\n")[0]).toBe(previewMarker(i + 2));
      expect(body).toContain(`_Converge preview for \`abc1234\`, continued (part ${i + 2} of ${bodies.length})_`);
      expect(body).toContain("#### production (continued)");
    });
    const names = bodies.join("\n").match(/<code>Deployment shop\/web-\d+<\/code>/g) ?? [];
    expect(new Set(names).size).toBe(400);
    expect(names.length).toBe(400);
    expect(bodies.at(-1)).toContain("<sub>Converge");
    expect(bodies.slice(0, -1).some((b) => b.includes("<sub>Converge"))).toBe(false);
  });

  it("truncates one huge object's diff at a line boundary, fence closed", () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `+  key${i}: ${"x".repeat(40)}`);
    const bodies = renderMarkdown([plan("production", [change("big", { diff: lines.join("\n") })])]);
    expect(bodies).toHaveLength(1);
    expectValid(bodies);
    const shown = fences(bodies[0]).code[0].split("\n");
    expect(lines.slice(0, shown.length)).toEqual(shown);
    expect(bodies[0]).toContain(`… diff truncated (${lines.length - shown.length} more lines) — see the check run`);
  });

  it("stops at maxComments with a pointer to the check run", () => {
    const url = "https://github.com/o/r/runs/1";
    const bodies = renderMarkdown([plan("production", many(400, 30))], { headSha: SHA, maxComments: 2, checkRunUrl: url });
    expect(bodies).toHaveLength(2);
    expectValid(bodies);
    const shown = (bodies.join("\n").match(/<code>Deployment shop\/web-\d+<\/code>/g) ?? []).length;
    expect(bodies[1]).toContain(`… ${400 - shown} more objects not shown: see the [check run](${url})`);
    expect(bodies[1]).toContain("part 2 of 2");

    const [only] = renderMarkdown([plan("production", many(400, 30))], { maxComments: 1, maxChars: 8000 });
    expectValid([only], 8000);
    expect(only).toMatch(/… \d+ more objects not shown: see the `Converge preview` check run/);
  });

  it("keeps room for the pointer line and footer whatever the limit", () => {
    const changes = many(300, 1);
    for (let maxChars = 4000; maxChars <= 4600; maxChars += 3) {
      const bodies = renderMarkdown([plan("production", changes)], { headSha: SHA, maxChars, maxComments: 2, checkRunUrl: "https://github.com/o/r/runs/1" });
      expectValid(bodies, maxChars);
      expect(bodies[1]).toMatch(/more objects not shown: see the \[check run\]\(https:\/\/github.com\/o\/r\/runs\/1\)\n\n<sub>Converge/);
    }
  });

  it("never splits a surrogate pair near the limit", () => {
    const emoji = "😀🚀👍🏽";
    const changes = Array.from({ length: 60 }, (_, i) =>
      change(`e${i}`, {
        source: { file: `deploy/${emoji.repeat(i % 7)}.yaml` },
        dangers: [emoji.repeat(i % 5)],
        diff: Array.from({ length: 3 + (i % 11) }, (_, j) => `+  note${j}: ${emoji.repeat(j + i)}`).join("\n"),
      }),
    );
    changes.push(change("huge", { diff: `+  x: ${emoji.repeat(20000)}\n+  y: ${"😀".repeat(3001)}` }));
    const errors: PlanError[] = [{ reason: "ManifestInvalid", message: "😀".repeat(3000), file: `${emoji.repeat(50)}.yaml` }];
    for (let maxChars = 4000; maxChars <= 4200; maxChars += 7) {
      const bodies = renderMarkdown([plan("production", changes, { errors })], { maxChars, maxComments: 50 });
      expectValid(bodies, maxChars);
    }
  });
});

describe("preview markers", () => {
  it("round-trip", () => {
    for (const part of [1, 2, 17]) expect(parsePreviewMarker(`${previewMarker(part)}\nbody`)).toBe(part);
    expect(parsePreviewMarker("a comment about <!-- converge:preview -->")).toBeUndefined();
  });
});

describe("renderPending", () => {
  it("carries the marker and the short SHA", () => {
    const body = renderPending(SHA, ["production", "staging"]);
    expect(body.split("\n")[0]).toBe(COMMENT_MARKER);
    expect(body).toContain("⏳ previewing `abc1234` for **production**, **staging**…");
    expect(body).not.toContain(SHA);
  });
});
