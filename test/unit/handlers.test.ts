// Webhook handlers with real payloads and nock as the only GitHub: each case
// declares every call it expects, and anything else fails the test.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import nock from "nock";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { example, startHarness, throwawayKey, type Harness } from "./handlers-support.js";
import { recordKey } from "../../src/engine/preview.js";
import type { GateRecord } from "../../src/report/gate-record.js";

const REPO = "/repos/Codertocat/Hello-World";
const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"; // pull_request examples' head.sha (PR #2)
const QUEUE_SHA = "2ffea6db159f6b6c47a24e778fb9ef40cf6b1c7d";
const PR_HEAD = "4f1c2a0de3b55f1e8a7f7b0a2f9d3c1e6b5a4d3c";

const CONFIG = `environments:
  production:
    path: deploy/production
    cluster: sim
    branch: master
    namespace: shop
`;

const INVALID_CONFIG = `environments:
  production:
    path: deploy/production
    cluster: sim
    branch: master
    approvals:
      required: many
`;

interface CheckBody {
  name: string;
  head_sha: string;
  status: string;
  conclusion?: string;
  output?: { title: string; summary: string; text?: string };
}

let key: string;
let h: Harness;

beforeAll(() => {
  key = throwawayKey();
});

beforeEach(() => {
  nock.cleanAll();
  nock.disableNetConnect();
});

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

/** A body matcher that records what was sent and always matches (assert afterwards, never inside). */
function capture<T>(into: T[]) {
  return (body: T) => {
    into.push(body);
    return true;
  };
}

/** The pull_request examples are same-repo PRs already; make sure of it (a fork would be refused a preview). */
function sameRepo<P extends { pull_request: { head: { repo: unknown } }; repository: unknown }>(p: P): P {
  p.pull_request.head.repo = structuredClone(p.repository);
  return p;
}

function record(dangerous: GateRecord["environments"][number]["dangerous"] = []): GateRecord {
  return {
    headSha: HEAD,
    environments: [{ name: "production", previewSha: HEAD, summary: { create: 0, update: 0, delete: dangerous.length, unchanged: 4 }, errors: [], errorCount: 0, dangerous, images: [], liveObjectCount: 5 }],
  };
}

describe("issue_comment.created", () => {
  function helpComment(user: { login: string; type: "User" | "Bot" } = { login: "octocat", type: "User" }) {
    const p = example("issue_comment.created");
    p.comment.body = "/converge help";
    p.comment.user = { ...p.comment.user!, login: user.login, type: user.type };
    // The example comments on an issue; make it a pull request's conversation.
    p.issue.pull_request = { url: `https://api.github.com${REPO}/pulls/1`, html_url: "https://github.com/Codertocat/Hello-World/pull/1", diff_url: "https://github.com/Codertocat/Hello-World/pull/1.diff", patch_url: "https://github.com/Codertocat/Hello-World/pull/1.patch", merged_at: null };
    return p;
  }

  it("answers /converge help with one comment holding the commands table", async () => {
    h = await startHarness({ privateKey: key });
    const bodies: Array<{ body: string }> = [];
    h.expectToken();
    h.api.post(h.path(`${REPO}/issues/1/comments`), capture(bodies)).reply(201, { id: 11, body: "…" });
    await h.receive("issue_comment", helpComment());
    await h.finish();
    expect(bodies).toHaveLength(1);
    expect(bodies[0]!.body).toContain("| command | what it does |");
    expect(bodies[0]!.body).toContain("`/converge preview`");
    expect(bodies[0]!.body).toContain("`/converge help`");
  });

  it("ignores a comment from a bot without a single request", async () => {
    h = await startHarness({ privateKey: key });
    const p = helpComment({ login: "converge[bot]", type: "Bot" });
    p.comment.body = "/converge preview";
    await h.receive("issue_comment", p);
    await h.finish();
  });

  it("handles a redelivered comment (same delivery id) once", async () => {
    h = await startHarness({ privateKey: key });
    h.expectToken();
    h.api.post(h.path(`${REPO}/issues/1/comments`)).once().reply(201, { id: 11, body: "…" });
    const p = helpComment();
    await h.receive("issue_comment", p, "delivery-help-1");
    await h.receive("issue_comment", structuredClone(p), "delivery-help-1");
    await h.finish();
    expect(h.logs.filter((l) => l.msg === "duplicate delivery ignored")).toHaveLength(1);
  });
});

describe("pull_request", () => {
  it("re-evaluates the gate on labeled from the gate record in memory: config, reviews, approval check — no diff", async () => {
    h = await startHarness({ privateKey: key });
    const p = sameRepo(example("pull_request.labeled"));
    p.label = { ...p.label!, name: "converge/allow-destructive" };
    p.pull_request.labels.push(structuredClone(p.label));
    h.rt.records.set(recordKey({ owner: "Codertocat", repo: "Hello-World" }, 2), record([{ action: "delete", id: { group: "", kind: "ConfigMap", namespace: "shop", name: "web-config" }, apiVersion: "v1", dangers: ["deletes ConfigMap shop/web-config"] }]));
    const checks: CheckBody[] = [];
    h.expectApp();
    h.expectToken();
    h.expectConfig("master", CONFIG);
    h.api.get(h.path(`${REPO}/pulls/2/reviews`)).query({ per_page: "100" }).reply(200, [
      { id: 80, user: { login: "octocat", id: 583231, type: "User" }, state: "APPROVED", commit_id: HEAD, submitted_at: "2019-05-15T15:21:00Z", body: "" },
    ]);
    // `approvals.from` is empty: the approver must have write access.
    h.api.get(h.path(`${REPO}/collaborators/octocat/permission`)).reply(200, { permission: "write", role_name: "write", user: { login: "octocat" } });
    h.api.post(h.path(`${REPO}/check-runs`), capture(checks)).reply(201, { id: 901, html_url: "https://github.com/checks/901" });
    await h.receive("pull_request", p);
    await h.finish();
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ name: "Converge approval", head_sha: HEAD, status: "completed", conclusion: "success" });
  });

  it("only reads the config on labeled when the head's preview found no environment affected", async () => {
    h = await startHarness({ privateKey: key });
    h.rt.records.set(recordKey({ owner: "Codertocat", repo: "Hello-World" }, 2), { headSha: HEAD, environments: [] });
    h.expectApp();
    h.expectToken();
    h.expectConfig("master", CONFIG);
    await h.receive("pull_request", sameRepo(example("pull_request.labeled")));
    await h.finish();
  });

  it("does nothing for an edit of the title or body", async () => {
    h = await startHarness({ privateKey: key });
    const p = sameRepo(example("pull_request.edited", "opened"));
    p.changes = { title: { from: "Update the README" } };
    await h.receive("pull_request", p);
    await h.finish();
  });

  it("previews again when the base branch was edited (here: a repository without Converge config)", async () => {
    h = await startHarness({ privateKey: key });
    const p = sameRepo(example("pull_request.edited", "opened"));
    p.changes = { base: { ref: { from: "develop" }, sha: { from: "0000000000000000000000000000000000000000" } } };
    h.expectApp();
    h.expectToken();
    h.expectConfig("master", undefined);
    await h.receive("pull_request", p);
    await h.finish();
  });

  it("stops after the config read in a repository without .github/converge.yml", async () => {
    h = await startHarness({ privateKey: key });
    h.expectApp();
    h.expectToken();
    h.expectConfig("master", undefined);
    await h.receive("pull_request", sameRepo(example("pull_request.synchronize")));
    await h.finish();
  });

  it("reads the config once for a review in a repository without .github/converge.yml", async () => {
    h = await startHarness({ privateKey: key });
    h.expectApp();
    h.expectToken();
    h.expectConfig("master", undefined);
    await h.receive("pull_request_review", sameRepo(example("pull_request_review.submitted")));
    await h.finish();
  });

  it("reports an invalid config: preview failure naming field and line, approval failure, one comment", async () => {
    h = await startHarness({ privateKey: key });
    const checks: CheckBody[] = [];
    const comments: Array<{ body: string }> = [];
    h.expectApp();
    h.expectToken();
    h.expectConfig("master", INVALID_CONFIG);
    h.api.post(h.path(`${REPO}/check-runs`), capture(checks)).reply(201, { id: 902, html_url: "https://github.com/Codertocat/Hello-World/runs/902" });
    // `opened`: no comment of ours can exist yet, so there is no search first.
    h.api.post(h.path(`${REPO}/issues/2/comments`), capture(comments)).reply(201, { id: 12, body: "…" });
    h.api.post(h.path(`${REPO}/check-runs`), capture(checks)).reply(201, { id: 903, html_url: "https://github.com/Codertocat/Hello-World/runs/903" });
    await h.receive("pull_request", sameRepo(example("pull_request.opened")));
    await h.finish();

    const [preview, approval] = checks;
    expect(preview).toMatchObject({ name: "Converge preview", head_sha: HEAD, conclusion: "failure" });
    const previewText = `${preview!.output!.title}\n${preview!.output!.summary}\n${preview!.output!.text ?? ""}`;
    expect(previewText).toContain("environments.production.approvals.required");
    expect(previewText).toContain(".github/converge.yml:7");
    expect(approval).toMatchObject({ name: "Converge approval", head_sha: HEAD, conclusion: "failure" });
    expect(approval!.output!.title).toMatch(/configuration invalid/);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("environments.production.approvals.required");
  });
});

describe("check_run.rerequested", () => {
  it("ignores a check run that is not one of Converge's", async () => {
    h = await startHarness({ privateKey: key });
    const p = example("check_run.rerequested");
    expect(p.check_run.name).not.toMatch(/^Converge /);
    await h.receive("check_run", p);
    await h.finish();
  });
});

describe("merge_group.checks_requested", () => {
  const GROUP_REPO = "/repos/octo-org/octo-repo";

  function group() {
    const p = example("merge_group.checks_requested");
    p.merge_group.head_ref = `refs/heads/gh-readonly-queue/main/pr-1-${p.merge_group.base_sha}`;
    return p;
  }

  function expectPullAndApproval(conclusion: string | undefined, forgedToo = false) {
    h.expectToken();
    h.expectApp();
    h.api.get(h.path(`${GROUP_REPO}/pulls/1`)).reply(200, { number: 1, state: "open", head: { sha: PR_HEAD, ref: "feature" }, base: { ref: "main" } });
    // Only runs posted by our app (id 1) count: another app's "Converge approval" is ignored.
    const forged = { id: 78, name: "Converge approval", head_sha: PR_HEAD, status: "completed", conclusion: "success", app: { id: 666 }, output: { title: "forged", summary: "" } };
    const ours = conclusion ? [{ id: 77, name: "Converge approval", head_sha: PR_HEAD, status: "completed", conclusion, app: { id: 1 }, output: { title: "…", summary: "…" } }] : [];
    const runs = forgedToo ? [forged, ...ours] : ours;
    h.api
      .get(h.path(`${GROUP_REPO}/commits/${PR_HEAD}/check-runs`))
      .query({ check_name: "Converge approval", filter: "latest", app_id: "1", per_page: "10" })
      .reply(200, { total_count: runs.length, check_runs: runs });
  }

  for (const [approval, expected] of [["success", "success"], ["failure", "failure"]] as const) {
    it(`reports the PR's approval (${approval}) as both checks on the queue commit`, async () => {
      h = await startHarness({ privateKey: key });
      const checks: CheckBody[] = [];
      expectPullAndApproval(approval);
      h.api.post(h.path(`${GROUP_REPO}/check-runs`), capture(checks)).times(2).reply(201, { id: 904, html_url: "https://github.com/checks/904" });
      await h.receive("merge_group", group());
      await h.finish();
      expect(checks.map((c) => [c.name, c.head_sha, c.conclusion])).toEqual([
        ["Converge approval", QUEUE_SHA, expected],
        ["Converge preview", QUEUE_SHA, expected],
      ]);
      expect(checks[0]!.output!.title).toContain("#1");
    });
  }

  it("posts nothing for a repository that does not use Converge", async () => {
    h = await startHarness({ privateKey: key });
    expectPullAndApproval(undefined);
    h.expectConfig("main", undefined); // the example repository's default branch
    await h.receive("merge_group", group());
    await h.finish();
  });

  it("fails both checks when a Converge repository's PR has no approval check of ours (a forged one does not count)", async () => {
    h = await startHarness({ privateKey: key });
    const checks: CheckBody[] = [];
    expectPullAndApproval(undefined, true);
    h.expectConfig("main", CONFIG);
    h.api.post(h.path(`${GROUP_REPO}/check-runs`), capture(checks)).times(2).reply(201, { id: 906, html_url: "https://github.com/checks/906" });
    await h.receive("merge_group", group());
    await h.finish();
    expect(checks.map((c) => c.conclusion)).toEqual(["failure", "failure"]);
    expect(checks[0]!.output!.title).toMatch(/not approved/);
  });
});

describe("GitHub Enterprise Server", () => {
  it("sends every request to the configured baseUrl host and nothing to api.github.com", async () => {
    h = await startHarness({ privateKey: key, baseUrl: "https://ghe.example.com/api/v3" });
    const p = sameRepo(example("pull_request.labeled"));
    h.rt.records.set(recordKey({ owner: "Codertocat", repo: "Hello-World" }, 2), record());
    const hosts: string[] = [];
    h.api.on("request", (req: { options?: { host?: string; hostname?: string }; host?: string }) => hosts.push(req.options?.hostname ?? req.options?.host ?? req.host ?? "?"));
    const checks: CheckBody[] = [];
    h.expectApp();
    h.expectToken();
    h.expectConfig("master", CONFIG);
    h.api.get(h.path(`${REPO}/pulls/2/reviews`)).query({ per_page: "100" }).reply(200, []);
    h.api.post(h.path(`${REPO}/check-runs`), capture(checks)).reply(201, { id: 905, html_url: "https://ghe.example.com/Codertocat/Hello-World/runs/905" });
    await h.receive("pull_request", p);
    await h.finish();
    expect(hosts).toHaveLength(5);
    expect(new Set(hosts)).toEqual(new Set(["ghe.example.com"]));
    expect(checks[0]).toMatchObject({ name: "Converge approval", conclusion: "failure" });
  });

  it("has no hard-coded api.github.com in src/", async () => {
    const hits: string[] = [];
    async function walk(dir: string): Promise<void> {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if ((await readFile(full, "utf8")).includes("api.github.com")) hits.push(full);
      }
    }
    await walk(join(import.meta.dirname, "../../src"));
    expect(hits).toEqual([]);
  });
});

describe("the harness itself", () => {
  it("fails a test whose queued job makes a request nobody declared", async () => {
    h = await startHarness({ privateKey: key });
    await h.receive("pull_request", sameRepo(example("pull_request.synchronize")));
    await expect(h.finish()).rejects.toThrow(/without an interceptor/);
  });

  it("fails a test that leaves an interceptor unused", async () => {
    h = await startHarness({ privateKey: key });
    h.expectApp();
    await expect(h.finish()).rejects.toThrow(/not used/);
  });
});
