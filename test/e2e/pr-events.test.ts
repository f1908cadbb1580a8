// The PR bot's other events end to end: config edits, labels, commands,
// re-runs, forks, refused repositories, stale change requests, the merge
// queue, and how fast webhooks are answered. Signed webhooks over HTTP to the
// real Probot app, against the simulated GitHub and Kubernetes.
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { fixtureFiles, labelPull, mergeGroupEvent, startStack, type Stack } from "../support/stack.js";
import { seedEnvironment } from "../support/deploy.js";
import { FIXTURE_REPOS } from "../support/workspace.js";

const REPO = "acme/shop";
const PREVIEW = "Converge preview";
const APPROVAL = "Converge approval";
/** Generous: GitHub waits 10 s; the app must answer long before that, whatever is running. */
const ANSWER_MS = 1_000;

let stack: Stack;
let base: Record<string, string>;
/** Every webhook answer in this file: [event, ms]. */
const answers: Array<[string, number]> = [];

beforeAll(async () => {
  stack = await startStack();
  base = await fixtureFiles("shop");
  stack.gh.createRepo(REPO, { files: base });
  for (const user of ["alice", "bob", "carol"]) stack.gh.addUser(user);
  // Reviewers with write access: `approvals.from: []` counts only those (as GitHub's required reviews do).
  for (const user of ["bob", "carol"]) stack.gh.setPermission("acme/shop", user, "write");
  await seedEnvironment(stack.kube.kubeconfig(), join(FIXTURE_REPOS, "shop"), "production", REPO);
});

afterAll(async () => {
  await stack?.close();
});

afterEach(() => {
  expect(stack.gh.unexpected).toEqual([]);
});

/** Sends a webhook, records how long the HTTP answer took, and waits for the queued work. */
async function deliver(s: Stack, event: string, payload: unknown, id?: string): Promise<void> {
  const res = await s.send(event, payload, id);
  answers.push([event, res.ms]);
  expect(res.status).toBe(200);
  await s.idle();
}

function web(image: string): string {
  return base["deploy/production/web.yaml"]!.replace("ghcr.io/acme/web:1.4.2", image);
}

/** A branch off main with these files committed, and a PR for it (not yet announced by a webhook). */
function openPull(branch: string, files: Record<string, string | null>, s: Stack = stack): { n: number; head: string } {
  s.gh.createBranch(REPO, branch, s.gh.ref(REPO, "main")!);
  const head = s.gh.commit(REPO, branch, files, { message: branch, author: "alice" });
  const n = s.gh.openPull(REPO, { head: branch, title: branch, user: "alice" });
  return { n, head };
}

function latest(sha: string, s: Stack = stack) {
  const runs = s.gh.checkRuns(REPO, sha);
  const last = (name: string) => runs.filter((r) => r.name === name).at(-1);
  return { preview: last(PREVIEW), approval: last(APPROVAL), runs };
}

function gateText(sha: string, s: Stack = stack): string {
  const a = latest(sha, s).approval;
  return `${a?.output.title}\n${a?.output.summary}`;
}

/** A comment body as a reader sees it: GitHub renders the HTML entities the report escapes with. */
function rendered(body: string): string {
  const named: Record<string, string> = { quot: '"', amp: "&", lt: "<", gt: ">", apos: "'" };
  return body.replace(/&(#\d+|[a-z]+);/g, (m, e: string) => (e.startsWith("#") ? String.fromCodePoint(Number(e.slice(1))) : (named[e] ?? m)));
}

function ourComments(n: number, s: Stack = stack) {
  return s.gh.comments(REPO, n).filter((c) => c.body.includes("<!-- converge:preview"));
}

async function approve(n: number, user: string, state: "APPROVED" | "CHANGES_REQUESTED" = "APPROVED"): Promise<void> {
  const review = stack.gh.review(REPO, n, { user, state });
  await deliver(stack, "pull_request_review", stack.gh.events.review(REPO, "submitted", review));
}

describe("events on a pull request", () => {
  it("previews a PR that edits .github/converge.yml, says it applies after merge, and gates it with the default branch's policy", async () => {
    const raised = base[".github/converge.yml"]!.replace("    prune: true\n", "    prune: true\n    approvals:\n      required: 5\n");
    expect(raised).toContain("required: 5");
    const { n, head } = openPull("policy", { ".github/converge.yml": raised });
    await deliver(stack, "pull_request", stack.gh.events.pullRequest(REPO, "opened", n, "alice"));

    const comments = ourComments(n);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("edits `.github/converge.yml`: the change takes effect after merge");
    expect(latest(head).preview?.conclusion).toBe("success");
    expect(latest(head).approval?.conclusion).toBe("failure");
    expect(latest(head).approval?.output.title).toMatch(/needs 1 approval/);

    await approve(n, "bob");
    expect(latest(head).approval?.conclusion).toBe("success");
    expect(gateText(head)).not.toMatch(/5 approvals/);
  });

  it("asks for the allow-destructive label on a pruning delete, and goes green with label and approval", async () => {
    const { n, head } = openPull("drop-config", { "deploy/production/config.yaml": null });
    await deliver(stack, "pull_request", stack.gh.events.pullRequest(REPO, "opened", n, "alice"));
    expect(ourComments(n)[0]!.body).toMatch(/1 to delete/);
    expect(latest(head).approval?.conclusion).toBe("failure");
    expect(latest(head).approval?.output.title).toContain("converge/allow-destructive");

    await approve(n, "bob");
    expect(latest(head).approval?.conclusion).toBe("failure");
    expect(latest(head).approval?.output.title).toContain("destructive change needs label converge/allow-destructive");

    stack.gh.resetCalls();
    await deliver(stack, "pull_request", labelPull(stack.gh, REPO, n, "converge/allow-destructive", "bob"));
    expect(latest(head).approval?.conclusion).toBe("success");
    expect(gateText(head)).toContain("acknowledged by the label converge/allow-destructive");
    // A label only re-evaluates the gate: no new diff.
    expect(stack.gh.count({ path: /tarball/ })).toBe(0);
    expect(stack.gh.count({ route: "GET /repos/{owner}/{repo}/pulls/{pull_number}/files" })).toBe(0);
  });

  it("recomputes the preview for the current head on /converge preview, editing the one comment", async () => {
    const { n, head: first } = openPull("recompute", { "deploy/production/web.yaml": web("ghcr.io/acme/web:1.7.0") });
    await deliver(stack, "pull_request", stack.gh.events.pullRequest(REPO, "opened", n, "alice"));
    const comment = ourComments(n)[0]!;
    expect(comment.body).toContain(first.slice(0, 7));

    // A push whose webhook never arrived: the comment is stale until someone asks.
    const head = stack.gh.commit(REPO, "recompute", { "deploy/production/web.yaml": web("ghcr.io/acme/web:1.7.1") }, { message: "again", author: "alice" });
    const id = stack.gh.addComment(REPO, n, { user: "alice", body: "/converge preview" });
    await deliver(stack, "issue_comment", stack.gh.events.issueComment(REPO, "created", id));

    const comments = ourComments(n);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.id).toBe(comment.id);
    expect(comments[0]!.body).toContain(head.slice(0, 7));
    expect(comments[0]!.body).toContain("ghcr.io/acme/web:1.7.1");
    expect(latest(head).preview?.conclusion).toBe("success");
    expect(latest(head).approval?.conclusion).toBe("failure");
  });

  it("runs the preview again when its check run is re-requested", async () => {
    const { n, head } = openPull("rerun", { "deploy/production/web.yaml": web("ghcr.io/acme/web:1.8.0") });
    await deliver(stack, "pull_request", stack.gh.events.pullRequest(REPO, "opened", n, "alice"));
    const before = latest(head).runs.filter((r) => r.name === PREVIEW);
    expect(before).toHaveLength(1);

    stack.gh.resetCalls();
    await deliver(stack, "check_run", stack.gh.events.checkRun(REPO, "rerequested", before[0]!.id, "alice"));
    const after = latest(head).runs.filter((r) => r.name === PREVIEW);
    expect(after).toHaveLength(2);
    expect(after.at(-1)!.conclusion).toBe("success");
    expect(stack.gh.count({ path: /tarball/ })).toBe(1);
    expect(ourComments(n)).toHaveLength(1);
  });

  it("does not preview a fork's PR against the cluster, and says so", async () => {
    const { n, head } = openPull("from-fork", { "deploy/production/web.yaml": web("ghcr.io/acme/web:6.6.6") });
    const payload = stack.gh.events.pullRequest(REPO, "opened", n, "alice") as { pull_request: { head: { label: string; repo: Record<string, unknown> } } };
    // What GitHub sends for a fork: the head lives in another repository.
    const forkRepo = payload.pull_request.head.repo;
    payload.pull_request.head.label = "mallory:from-fork";
    payload.pull_request.head.repo = { ...forkRepo, id: 999_001, name: "shop", full_name: "mallory/shop", fork: true, owner: { ...(forkRepo.owner as object), login: "mallory", id: 999_002 } };
    const kubeBefore = stack.kube.requests.length;
    stack.gh.resetCalls();

    await deliver(stack, "pull_request", payload);
    expect(ourComments(n)[0]!.body).toContain("pull requests from forks are not previewed against the cluster");
    expect(latest(head).preview?.conclusion).toBe("failure");
    expect(latest(head).approval?.conclusion).toBe("failure");
    expect(stack.kube.requests.length).toBe(kubeBefore);
    expect(stack.gh.count({ path: /tarball/ })).toBe(0);
  });

  it("re-evaluates nothing for a review on a PR that touches no environment (no second download)", async () => {
    const { n, head } = openPull("docs-only", { "docs/runbook.md": "# runbook\n" });
    await deliver(stack, "pull_request", stack.gh.events.pullRequest(REPO, "opened", n, "alice"));
    expect(latest(head).approval?.conclusion).toBe("neutral");
    stack.gh.resetCalls();
    await approve(n, "bob");
    expect(stack.gh.count({ path: /tarball/ })).toBe(0);
    expect(latest(head).runs).toHaveLength(2);
    expect(ourComments(n)).toHaveLength(0);
  });

  it("keeps a change request from an older commit blocking after a push, until that reviewer approves", async () => {
    const { n } = openPull("contested", { "deploy/production/web.yaml": web("ghcr.io/acme/web:1.9.0") });
    await deliver(stack, "pull_request", stack.gh.events.pullRequest(REPO, "opened", n, "alice"));
    await approve(n, "carol", "CHANGES_REQUESTED");

    const head = stack.gh.commit(REPO, "contested", { "deploy/production/web.yaml": web("ghcr.io/acme/web:1.9.1") }, { message: "address review", author: "alice" });
    await deliver(stack, "pull_request", stack.gh.events.pullRequest(REPO, "synchronize", n, "alice"));
    expect(latest(head).approval?.conclusion).toBe("failure");
    expect(latest(head).approval?.output.title).toContain("changes requested by carol");

    await approve(n, "bob");
    expect(latest(head).approval?.conclusion).toBe("failure");
    expect(latest(head).approval?.output.title).toContain("changes requested by carol");

    await approve(n, "carol");
    expect(latest(head).approval?.conclusion).toBe("success");

    // The merge queue then asks for the same checks on its own commit.
    const group = mergeGroupEvent(stack.gh, REPO, n);
    await deliver(stack, "merge_group", group.payload);
    const queue = latest(group.sha);
    expect(queue.preview?.conclusion).toBe("success");
    expect(queue.approval?.conclusion).toBe("success");
    expect(queue.approval?.output.title).toContain(`#${n}`);
  });

  it("fails the merge queue commit of a PR whose gate is red", async () => {
    const { n } = openPull("unapproved", { "deploy/production/web.yaml": web("ghcr.io/acme/web:1.10.0") });
    await deliver(stack, "pull_request", stack.gh.events.pullRequest(REPO, "opened", n, "alice"));
    const group = mergeGroupEvent(stack.gh, REPO, n);
    await deliver(stack, "merge_group", group.payload);
    expect(latest(group.sha).preview?.conclusion).toBe("failure");
    expect(latest(group.sha).approval?.conclusion).toBe("failure");
  });

  it("answers every webhook within a second, also while a preview is running", async () => {
    const { n } = openPull("busy", { "deploy/production/web.yaml": web("ghcr.io/acme/web:1.11.0") });
    stack.gh.latencyMs = 60; // a slower GitHub: the preview takes a while
    try {
      const during: Array<[string, number]> = [];
      const timed = async (event: string, payload: unknown) => {
        const res = await stack.send(event, payload);
        expect(res.status).toBe(200);
        during.push([event, res.ms]);
        answers.push([event, res.ms]);
      };
      await timed("pull_request", stack.gh.events.pullRequest(REPO, "opened", n, "alice"));
      expect(stack.rt.queue.busy().filter((k) => k.endsWith(`#${n}`))).toHaveLength(1); // the preview is under way
      const review = stack.gh.review(REPO, n, { user: "bob", state: "APPROVED" });
      await timed("pull_request_review", stack.gh.events.review(REPO, "submitted", review));
      await timed("pull_request", labelPull(stack.gh, REPO, n, "team/web", "bob"));
      const cmd = stack.gh.addComment(REPO, n, { user: "alice", body: "/converge preview" });
      await timed("issue_comment", stack.gh.events.issueComment(REPO, "created", cmd));
      await timed("pull_request", stack.gh.events.pullRequest(REPO, "synchronize", n, "alice"));
      await stack.idle();
      for (const [event, ms] of during) expect(ms, event).toBeLessThan(ANSWER_MS);
    } finally {
      stack.gh.latencyMs = 0;
    }
    expect(ourComments(n)).toHaveLength(1);
    // Every webhook of this file so far, too.
    expect(answers.length).toBeGreaterThanOrEqual(5);
    for (const [event, ms] of answers) expect(ms, event).toBeLessThan(ANSWER_MS);
  });
});

describe("a repository the cluster registry does not allow", () => {
  let other: Stack;

  beforeAll(async () => {
    other = await startStack({ repositories: ["other/*"] });
    other.gh.createRepo(REPO, { files: base ?? (await fixtureFiles("shop")) });
    other.gh.addUser("alice");
    other.gh.addUser("bob");
    other.gh.setPermission("acme/shop", "bob", "write");
  });

  afterAll(async () => {
    await other?.close();
  });

  it("says the cluster refuses the repository, fails both checks, and sends nothing to the cluster", async () => {
    const { n, head } = openPull("refused", { "deploy/production/web.yaml": web("ghcr.io/acme/web:2.0.0") }, other);
    await deliver(other, "pull_request", other.gh.events.pullRequest(REPO, "opened", n, "alice"));
    expect(rendered(ourComments(n, other)[0]!.body)).toContain('cluster "sim" does not accept repository "acme/shop"');
    expect(latest(head, other).preview?.conclusion).toBe("failure");
    expect(latest(head, other).approval?.conclusion).toBe("failure");
    expect(other.kube.requests).toEqual([]);
    expect(other.gh.unexpected).toEqual([]);
  });

  it("previews again, rather than calling the config invalid, when the default branch renamed the environment since the preview", async () => {
    const { n, head } = openPull("renamed", { "deploy/production/web.yaml": web("ghcr.io/acme/web:2.1.0") }, other);
    await deliver(other, "pull_request", other.gh.events.pullRequest(REPO, "opened", n, "alice"));
    expect(latest(head, other).preview?.output.title).toContain("production");

    other.gh.commit(REPO, "main", { ".github/converge.yml": base[".github/converge.yml"]!.replace("  production:", "  prod:") }, { message: "rename", author: "alice" });
    const review = other.gh.review(REPO, n, { user: "bob", state: "APPROVED" });
    await deliver(other, "pull_request_review", other.gh.events.review(REPO, "submitted", review));
    const { approval, runs } = latest(head, other);
    expect(approval?.output.title).not.toMatch(/configuration invalid/);
    expect(runs.filter((r) => r.name === PREVIEW)).toHaveLength(2);
    expect(latest(head, other).preview?.output.title).toMatch(/\bprod\b/);
    expect(latest(head, other).preview?.output.title).not.toContain("production");
    expect(other.kube.requests).toEqual([]);
  });
});
