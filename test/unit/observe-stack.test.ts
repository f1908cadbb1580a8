// Observability of the real app (test/support/stack.ts: simulated GitHub and
// Kubernetes, Probot over HTTP): /healthz, /readyz, /metrics after a preview,
// deploys, a revert and drift; notifications as they arrive at a receiver;
// and what the logs say — never a Secret value, never a GitHub token.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../support/stack.js";
import { mergeChange, pushPayload } from "../support/merge.js";
import { shopFiles } from "../support/shop.js";
import { startController, type Controller } from "../support/kube/controller.js";
import { runDriftCheck } from "../../src/agent/drift.js";
import { parentRef, parseParent } from "../../src/inventory/applyset.js";
import { parseConfig } from "../../src/config/index.js";
import type { GitHub } from "../../src/github/types.js";
import type { Message } from "../../src/observe/notify.js";

const REPO = "acme/shop";
const SECRET_OLD = "canary-OLD-7f3a9c";
const SECRET_NEW = "canary-NEW-19be44";
const SECRET_THIRD = "canary-3RD-c0ffee";

let stack: Stack;
let controller: Controller;
let files: Record<string, string>;
const logLines: string[] = [];
const received: Message[] = [];
let receiverServer: Server;
let receiverUrl: string;

function metric(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelPart = /\{(.*)\}/.exec(line)?.[1] ?? "";
    if (want.every((w) => labelPart.split(",").includes(w))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

async function metrics(): Promise<string> {
  const res = await fetch(`${stack.appUrl}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain");
  return res.text();
}

beforeAll(async () => {
  receiverServer = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push(JSON.parse(body) as Message);
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => receiverServer.listen(0, "127.0.0.1", r));
  receiverUrl = `http://127.0.0.1:${(receiverServer.address() as AddressInfo).port}/hook`;

  const logStream = new Writable({
    write(chunk, _enc, cb) {
      logLines.push(...String(chunk).split("\n").filter(Boolean));
      cb();
    },
  });
  stack = await startStack({ verifyTimeoutMs: 30_000, logLevel: "debug", logStream, converge: { notifyUrl: receiverUrl, notify: { backoffMs: 20 }, readyCacheMs: 0 } });
  controller = startController(stack.kube, { readyAfterMs: 100 });
  files = await shopFiles({ namespace: "shop" });
  stack.gh.createRepo(REPO, { files });
  stack.gh.addUser("alice");
  stack.gh.addUser("bob");

  // 1. first deploy of main
  await stack.deliver("push", stack.gh.events.push(REPO, "refs/heads/main", "0".repeat(40), stack.gh.ref(REPO, "main")!, "bob"));
  // 2. a PR that changes the Secret's value: preview, then merge → deploy
  const main = stack.gh.ref(REPO, "main")!;
  stack.gh.createBranch(REPO, "rotate", main);
  stack.gh.commit(REPO, "rotate", { "deploy/production/secret.yaml": files["deploy/production/secret.yaml"]!.replace(SECRET_OLD, SECRET_NEW) }, { message: "Rotate the password", author: "alice" });
  const n = stack.gh.openPull(REPO, { head: "rotate", title: "Rotate the password", user: "alice" });
  await stack.deliver("pull_request", stack.gh.events.pullRequest(REPO, "opened", n, "alice"));
  const merged = stack.gh.mergePull(REPO, n, { user: "bob" });
  await stack.deliver("push", pushPayload(stack, REPO, { before: main, sha: merged }));
  // 3. a deploy the API server rejects → failure → revert PR
  // (It rotates the password again too, so the revert commit carries the Secret manifest back: its content goes to GitHub's API.)
  const typo = mergeChange(stack, REPO, "typo", {
    "deploy/production/web.yaml": files["deploy/production/web.yaml"]!.replace("replicas: 2", "replica: 2"),
    "deploy/production/secret.yaml": files["deploy/production/secret.yaml"]!.replace(SECRET_OLD, SECRET_THIRD),
  }, "Scale web");
  await stack.deliver("push", pushPayload(stack, REPO, typo));
  // 4. drift: a hand edit, found by a drift check (report → issue)
  const cm = stack.kube.get("v1", "ConfigMap", "web-config", "shop")!;
  stack.kube.put({ ...cm, data: { LOG_LEVEL: "trace" } });
  const ref = parentRef(REPO, "production", "shop");
  const { ProbotOctokit } = await import("probot");
  const gh = new ProbotOctokit({ auth: { token: stack.gh.installationToken(stack.gh.installationId(REPO)) }, baseUrl: stack.gh.apiUrl, throttle: { enabled: false } }) as unknown as GitHub;
  await runDriftCheck(stack.rt, { gh, repo: { owner: "acme", repo: "shop" }, env: parseConfig(files[".github/converge.yml"]!).environments[0]!, inventory: parseParent(stack.kube.get("v1", "ConfigMap", ref.name, ref.namespace), ref) });
  await stack.idle();
  // Notifications are delivered in the background: give them a moment.
  for (let i = 0; i < 100 && received.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
}, 120_000);

afterAll(async () => {
  await controller?.stop();
  await stack?.close();
  receiverServer?.closeAllConnections();
  await new Promise((r) => receiverServer?.close(r));
});

describe("health endpoints", () => {
  it("/healthz answers ok while the process serves", async () => {
    const res = await fetch(`${stack.appUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok\n");
  });

  it("/readyz: 200 when the app's key signs a JWT and every cluster answers; 503 naming what is not ready", async () => {
    expect((await fetch(`${stack.appUrl}/readyz`)).status).toBe(200);
    stack.kube.intercept((req) => (req.path === "/version" || req.path === "/api" ? { status: 500, body: { kind: "Status", status: "Failure", message: "etcd is down", code: 500 } } : undefined));
    try {
      const res = await fetch(`${stack.appUrl}/readyz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { status: string; notReady: Array<{ check: string; error: string }> };
      expect(body.status).toBe("not ready");
      expect(body.notReady.map((c) => c.check)).toEqual(["cluster:sim"]);
      expect(body.notReady[0]!.error).toContain("etcd is down");
      const text = JSON.stringify(body);
      for (const token of stack.gh.state.tokens.keys()) expect(text).not.toContain(token);
    } finally {
      stack.kube.intercept(undefined);
    }
    expect((await fetch(`${stack.appUrl}/readyz`)).status).toBe(200);
  });

  it("the status page is off without a token (404)", async () => {
    expect((await fetch(`${stack.appUrl}/converge`)).status).toBe(404);
  });
});

describe("/metrics", () => {
  it("counts webhooks, previews, deploys, reverts and drift from domain events", async () => {
    const text = await metrics();
    expect(metric(text, "converge_webhooks_total", { event: "push", outcome: "queued" })).toBe(3);
    expect(metric(text, "converge_webhooks_total", { event: "pull_request", outcome: "queued" })).toBe(1);
    expect(metric(text, "converge_previews_total", { environment: "production", result: "success" })).toBe(1);
    expect(metric(text, "converge_preview_duration_seconds_count", { environment: "production" })).toBe(1);
    expect(metric(text, "converge_deploys_total", { environment: "production", result: "success", trigger: "push" })).toBe(2);
    expect(metric(text, "converge_deploys_total", { environment: "production", result: "failure", trigger: "push" })).toBe(1);
    expect(metric(text, "converge_deploy_duration_seconds_count", { environment: "production", result: "success" })).toBe(2);
    expect(metric(text, "converge_revert_prs_opened_total", { environment: "production", outcome: "opened" })).toBe(1);
    expect(metric(text, "converge_drift_detected_total", { environment: "production", action: "detected" })).toBe(1);
    expect(text).toContain("# TYPE converge_preview_duration_seconds histogram");
    expect(text).toContain("# TYPE converge_deploy_duration_seconds histogram");
  });

  it("reads GitHub's remaining rate limit from response headers, per installation", async () => {
    const text = await metrics();
    const id = String(stack.gh.installationId(REPO));
    const remaining = metric(text, "converge_github_rate_limit_remaining", { installation: id });
    expect(remaining).toBeGreaterThan(4000);
    expect(remaining).toBeLessThan(5000);
    expect(metric(text, "converge_github_rate_limit_remaining", { installation: "app" })).toBeGreaterThan(0);
  });

  it("counts Kubernetes requests by cluster, verb and code, and errors separately", async () => {
    const before = await metrics();
    const errorsBefore = metric(before, "converge_kubernetes_request_errors_total", { cluster: "sim", verb: "GET" }) ?? 0;
    const patches = metric(before, "converge_kubernetes_requests_total", { cluster: "sim", verb: "PATCH", code: "200" });
    expect(patches).toBeGreaterThan(0);
    expect(metric(before, "converge_kubernetes_requests_total", { cluster: "sim", verb: "GET", code: "200" })).toBeGreaterThan(0);
    expect(metric(before, "converge_kubernetes_requests_total", { cluster: "sim", verb: "GET", code: "404" })).toBeGreaterThan(0); // first deploy: nothing there yet
    // The typo's dry-run: API servers answer a server-side-apply schema error with 500 ("failed to create typed patch object").
    expect(metric(before, "converge_kubernetes_requests_total", { cluster: "sim", verb: "PATCH", code: "500" })).toBe(1);
    stack.kube.intercept((req) => (req.path === "/version" ? { status: 503, body: { kind: "Status", status: "Failure", message: "unavailable", code: 503 } } : undefined));
    try {
      await fetch(`${stack.appUrl}/readyz`);
    } finally {
      stack.kube.intercept(undefined);
    }
    const after = await metrics();
    expect(metric(after, "converge_kubernetes_requests_total", { cluster: "sim", verb: "GET", code: "503" })).toBe(1);
    expect(metric(after, "converge_kubernetes_request_errors_total", { cluster: "sim", verb: "GET" })).toBe(errorsBefore + 1);
  });

  it("includes Node's default metrics, and each app instance has its own registry", async () => {
    const text = await metrics();
    expect(text).toContain("process_cpu_user_seconds_total");
    expect(text).toContain("nodejs_eventloop_lag_seconds");
    const other = await startStack({}, stack);
    try {
      const fresh = await (await fetch(`${other.appUrl}/metrics`)).text();
      expect(metric(fresh, "converge_deploys_total", { environment: "production", result: "success", trigger: "push" })).toBeUndefined();
    } finally {
      await other.close();
    }
  });
});

describe("notifications", () => {
  it("arrive once per event: the failed deploy, the revert PR, the drift", () => {
    const texts = received.map((m) => m.text);
    expect(texts.filter((t) => t.includes("failed: ValidationFailed"))).toHaveLength(1);
    expect(texts.filter((t) => t.includes("revert PR"))).toHaveLength(1);
    expect(texts.filter((t) => t.includes("Drift detected in *production*"))).toHaveLength(1);
    expect(received).toHaveLength(3);
    expect(JSON.stringify(received)).not.toContain(SECRET_OLD);
    expect(JSON.stringify(received)).not.toContain(SECRET_NEW);
  });

  it("a receiver that does not answer does not slow a deploy down", async () => {
    const hang = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((r) => hang.listen(0, "127.0.0.1", r));
    const slow = await startStack({ verifyTimeoutMs: 30_000, converge: { notifyUrl: `http://127.0.0.1:${(hang.address() as AddressInfo).port}/` } }, stack);
    try {
      const m = mergeChange(stack, REPO, "typo-again", { "deploy/production/config.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\ndatta:\n  LOG_LEVEL: info\n" }, "Typo in config");
      const t0 = Date.now();
      await slow.deliver("push", pushPayload(stack, REPO, m));
      expect(stack.gh.deployments(REPO).find((d) => d.sha === m.sha)!.statuses.at(-1)!.state).toBe("failure");
      // With default notification timeouts (5 s per try, 3 retries) a blocking send would take > 20 s.
      expect(Date.now() - t0).toBeLessThan(5_000);
    } finally {
      await slow.close();
      hang.closeAllConnections();
      await new Promise((r) => hang.close(r));
    }
  });
});

describe("logs", () => {
  it("never contain a Secret value or a GitHub token, even at debug level", () => {
    expect(logLines.length).toBeGreaterThan(20);
    const all = logLines.join("\n");
    expect(all).not.toContain(SECRET_OLD);
    expect(all).not.toContain(SECRET_NEW);
    expect(all).not.toContain(SECRET_THIRD);
    expect(all).not.toContain(Buffer.from(SECRET_NEW).toString("base64"));
    const tokens = [...stack.gh.state.tokens.keys()];
    expect(tokens.length).toBeGreaterThan(0);
    for (const token of tokens) expect(all).not.toContain(token);
    // GitHub requests are still logged at debug, without their bodies (file contents, comments).
    expect(logLines.some((l) => l.includes('"msg":"GitHub request: POST') && l.includes("/git/trees - 201"))).toBe(true);
  });

  it("are JSON lines with static messages, and name repository, environment and commit where they have them", () => {
    const parsed = logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const deployed = parsed.filter((l) => l.msg === "deployed" || l.msg === "deploy failed");
    expect(deployed.length).toBeGreaterThanOrEqual(3);
    for (const l of deployed) expect(l).toMatchObject({ repository: REPO, env: "production", trigger: "push", level: 30 });
    for (const l of deployed) expect(l.sha).toMatch(/^[0-9a-f]{40}$/);
    const preview = parsed.find((l) => l.msg === "preview computed");
    expect(preview).toMatchObject({ repository: REPO, pr: expect.any(Number), sha: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(preview!.delivery).toEqual(expect.any(String));
  });
});
