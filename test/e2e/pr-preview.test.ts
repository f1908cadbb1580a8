// The PR bot end to end: signed webhooks over HTTP to the real Probot app,
// which talks to the simulated GitHub (as GHES) and the simulated cluster.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, fixtureFiles, type Stack } from "../support/stack.js";
import { seedEnvironment } from "../support/deploy.js";
import { FIXTURE_REPOS } from "../support/workspace.js";
import { join } from "node:path";

const REPO = "acme/shop";
const SECRET_OLD = "canary-OLD-7f3a9c";
const SECRET_NEW = "canary-NEW-19be44";

let stack: Stack;
let base: Record<string, string>;

beforeAll(async () => {
  stack = await startStack();
  base = await fixtureFiles("shop");
  stack.gh.createRepo(REPO, { files: base });
  stack.gh.addUser("alice");
  stack.gh.addUser("bob");
  stack.gh.setPermission(REPO, "bob", "write");
  await seedEnvironment(stack.kube.kubeconfig(), join(FIXTURE_REPOS, "shop"), "production", REPO);
});

afterAll(async () => {
  await stack?.close();
});

function web(image: string): string {
  return base["deploy/production/web.yaml"]!.replace("ghcr.io/acme/web:1.4.2", image);
}

function checks(sha: string) {
  const runs = stack.gh.checkRuns(REPO, sha);
  const latest = (name: string) => runs.filter((r) => r.name === name).at(-1);
  return { preview: latest("Converge preview"), approval: latest("Converge approval") };
}

function ourComments(n: number) {
  return stack.gh.comments(REPO, n).filter((c) => c.body.includes("<!-- converge:preview"));
}

/** Every ``` fence closed and every <details> closed, in one body. */
function assertValidMarkdown(body: string): void {
  let open: string | undefined;
  for (const line of body.split("\n")) {
    const m = /^(`{3,})/.exec(line);
    if (!m) continue;
    if (!open) open = m[1];
    else if (m[1] === open && line.trim() === open) open = undefined;
  }
  expect(open, "unclosed code fence").toBeUndefined();
  expect((body.match(/<details>/g) ?? []).length).toBe((body.match(/<\/details>/g) ?? []).length);
}

describe("PR preview and approval gate", () => {
  let n: number;
  let head: string;

  it("posts one comment with the diff and a red gate that says what is missing", async () => {
    const main = stack.gh.ref(REPO, "main")!;
    stack.gh.createBranch(REPO, "bump", main);
    head = stack.gh.commit(REPO, "bump", { "deploy/production/web.yaml": web("ghcr.io/acme/web:1.5.0") }, { message: "bump web", author: "alice" });
    n = stack.gh.openPull(REPO, { head: "bump", title: "Bump web", user: "alice" });
    stack.gh.resetCalls();
    const answer = await stack.send("pull_request", stack.gh.events.pullRequest(REPO, "opened", n, "alice"));
    expect(answer.status).toBe(200);
    expect(answer.ms).toBeLessThan(2_000);
    await stack.idle();

    const comments = ourComments(n);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body).toContain("production");
    expect(body).toMatch(/1 to update/);
    expect(body).toContain("ghcr.io/acme/web:1.5.0");
    expect(body).toContain(head.slice(0, 7));
    assertValidMarkdown(body);

    const { preview, approval } = checks(head);
    expect(preview?.conclusion).toBe("success");
    expect(approval?.conclusion).toBe("failure");
    expect(approval?.output.title).toMatch(/needs 1 (more )?approval/);
    expect(approval?.output.title).toContain(head.slice(0, 7));
    expect(stack.gh.unexpected).toEqual([]);
    // GitHub calls for this preview: config, files, tarball, comment (pending), comment (final),
    // preview check, approval check. (Plus a one-off installation token.)
    const apiCalls = stack.gh.calls.filter((c) => !c.path.startsWith("/_codeload") && !/^\/app(\/|$)/.test(c.path));
    expect(apiCalls.map((c) => `${c.method} ${c.path}`)).toHaveLength(7);
  });

  it("keeps one comment through three pushes and three redeliveries, showing the newest head", async () => {
    for (const [i, tag] of ["1.5.1", "1.5.2", "1.5.3"].entries()) {
      head = stack.gh.commit(REPO, "bump", { "deploy/production/web.yaml": web(`ghcr.io/acme/web:${tag}`) }, { message: `push ${i}`, author: "alice" });
      const payload = stack.gh.events.pullRequest(REPO, "synchronize", n, "alice");
      const id = `sync-${i}`;
      await stack.send("pull_request", payload, id);
      await stack.send("pull_request", payload, id); // redelivery: same id
    }
    await stack.idle();
    const comments = ourComments(n);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("ghcr.io/acme/web:1.5.3");
    expect(comments[0]!.body).toContain(head.slice(0, 7));
    expect(checks(head).preview?.conclusion).toBe("success");
  });

  it("turns the gate green after an approval on the head commit, and red again after a push", async () => {
    const review = stack.gh.review(REPO, n, { user: "bob", state: "APPROVED" });
    stack.gh.resetCalls();
    await stack.deliver("pull_request_review", stack.gh.events.review(REPO, "submitted", review));
    expect(checks(head).approval?.conclusion).toBe("success");
    // The gate was re-evaluated without recomputing the diff: no tarball download.
    expect(stack.gh.count({ path: /tarball/ })).toBe(0);

    head = stack.gh.commit(REPO, "bump", { "deploy/production/web.yaml": web("ghcr.io/acme/web:1.6.0") }, { message: "another push", author: "alice" });
    await stack.deliver("pull_request", stack.gh.events.pullRequest(REPO, "synchronize", n, "alice"));
    const { approval } = checks(head);
    expect(approval?.conclusion).toBe("failure");
    expect(approval?.output.title).toMatch(/approval/);
  });

  it("fails the gate for a mutable image tag, naming the image", async () => {
    head = stack.gh.commit(REPO, "bump", { "deploy/production/web.yaml": web("ghcr.io/acme/web:latest") }, { message: "latest", author: "alice" });
    await stack.deliver("pull_request", stack.gh.events.pullRequest(REPO, "synchronize", n, "alice"));
    const review = stack.gh.review(REPO, n, { user: "bob", state: "APPROVED" });
    await stack.deliver("pull_request_review", stack.gh.events.review(REPO, "submitted", review));
    const { approval } = checks(head);
    expect(approval?.conclusion).toBe("failure");
    expect(`${approval?.output.title}\n${approval?.output.summary}`).toContain("ghcr.io/acme/web:latest");
  });

  it("answers /converge help", async () => {
    const id = stack.gh.addComment(REPO, n, { user: "alice", body: "/converge help" });
    await stack.deliver("issue_comment", stack.gh.events.issueComment(REPO, "created", id));
    expect(stack.gh.comments(REPO, n).some((c) => c.body.includes("/converge preview"))).toBe(true);
  });
});

describe("secrets, size limits and errors in the preview", () => {
  it("shows a changed Secret's key but its value nowhere in GitHub", async () => {
    const main = stack.gh.ref(REPO, "main")!;
    stack.gh.createBranch(REPO, "rotate", main);
    const head = stack.gh.commit(REPO, "rotate", { "deploy/production/secret.yaml": base["deploy/production/secret.yaml"]!.replace(SECRET_OLD, SECRET_NEW) }, { message: "rotate", author: "alice" });
    const n = stack.gh.openPull(REPO, { head: "rotate", user: "alice" });
    await stack.deliver("pull_request", stack.gh.events.pullRequest(REPO, "opened", n, "alice"));
    expect(ourComments(n)[0]!.body).toContain("password");
    expect(checks(head).preview?.conclusion).toBe("success");
    const everything = stack.gh.allText();
    for (const s of [SECRET_OLD, SECRET_NEW]) {
      expect(everything).not.toContain(s);
      expect(everything).not.toContain(Buffer.from(s).toString("base64"));
    }
  });

  it("splits a 400-object diff into continuation comments with valid markdown", async () => {
    const main = stack.gh.ref(REPO, "main")!;
    stack.gh.createBranch(REPO, "many", main);
    const files: Record<string, string> = {};
    for (let f = 0; f < 40; f++) {
      const docs = [];
      for (let i = 0; i < 10; i++) {
        const k = f * 10 + i;
        const data = Array.from({ length: 12 }, (_, j) => `  key${j}: "value ${k}-${j} ${"x".repeat(60)}"`).join("\n");
        docs.push(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bulk-${k}\ndata:\n${data}\n`);
      }
      files[`deploy/production/bulk-${f}.yaml`] = docs.join("---\n");
    }
    const head = stack.gh.commit(REPO, "many", files, { message: "many", author: "alice" });
    const n = stack.gh.openPull(REPO, { head: "many", user: "alice" });
    stack.gh.resetCalls();
    await stack.deliver("pull_request", stack.gh.events.pullRequest(REPO, "opened", n, "alice"));
    const comments = ourComments(n);
    expect(comments.length).toBeGreaterThan(1);
    // Continuation comments cost one call each; the rest is the same as for a one-object preview.
    const apiCalls = stack.gh.calls.filter((c) => !c.path.startsWith("/_codeload") && !/^\/app(\/|$)/.test(c.path));
    expect(apiCalls.length).toBeLessThanOrEqual(7 + (comments.length - 1));
    for (const c of comments) {
      expect(c.body.length).toBeLessThanOrEqual(65_536);
      assertValidMarkdown(c.body);
    }
    expect(comments[0]!.body).toMatch(/400 to create/);
    expect(comments[1]!.body).toMatch(/continued/);
    expect(checks(head).preview?.conclusion).toBe("success");
    expect(stack.gh.unexpected).toEqual([]);
  });

  it("reports a strict-validation error in the comment and fails the preview check, naming file and field", async () => {
    const main = stack.gh.ref(REPO, "main")!;
    stack.gh.createBranch(REPO, "typo", main);
    const head = stack.gh.commit(REPO, "typo", { "deploy/production/web.yaml": base["deploy/production/web.yaml"]!.replace("replicas: 2", "replica: 2") }, { message: "typo", author: "alice" });
    const n = stack.gh.openPull(REPO, { head: "typo", user: "alice" });
    await stack.deliver("pull_request", stack.gh.events.pullRequest(REPO, "opened", n, "alice"));
    const body = ourComments(n)[0]!.body;
    expect(body).toContain("spec.replica");
    expect(body).toContain("deploy/production/web.yaml");
    const { preview, approval } = checks(head);
    expect(preview?.conclusion).toBe("failure");
    expect(approval?.conclusion).toBe("failure");
    expect(stack.gh.checkRuns(REPO, head).find((r) => r.name === "Converge preview")?.annotations[0]?.path).toBe("deploy/production/web.yaml");
  });

  it("gives a PR that touches no environment neutral checks and no comment", async () => {
    const main = stack.gh.ref(REPO, "main")!;
    stack.gh.createBranch(REPO, "docs", main);
    const head = stack.gh.commit(REPO, "docs", { "README.md": "# shop\n" }, { message: "docs", author: "alice" });
    const n = stack.gh.openPull(REPO, { head: "docs", user: "alice" });
    await stack.deliver("pull_request", stack.gh.events.pullRequest(REPO, "opened", n, "alice"));
    expect(ourComments(n)).toHaveLength(0);
    expect(checks(head).preview?.conclusion).toBe("neutral");
    expect(checks(head).approval?.conclusion).toBe("neutral");
  });
});
