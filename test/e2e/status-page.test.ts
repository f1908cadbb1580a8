// The status page end to end: simulated GitHub + Kubernetes + the real app,
// two repositories (one deployed and healthy but drifted, one whose deploy the
// API server rejected), the JSON twin, the token, the cache — and the page in
// a real browser (Debian's Chromium through playwright-core).
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
import type { StatusModel } from "../../src/status/model.js";

const TOKEN = "status-e2e-token-5d41402abc4b2a76";
const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`status-page.test: ${CHROMIUM} is missing — the browser part is skipped (install Debian's chromium: scripts/ensure-chromium.sh)`);

let stack: Stack;
const logLines: string[] = [];
let controller: Controller;

async function repoWith(name: string, namespace: string): Promise<Record<string, string>> {
  const files = await shopFiles({ namespace });
  stack.gh.createRepo(name, { files });
  const main = stack.gh.ref(name, "main")!;
  await stack.deliver("push", stack.gh.events.push(name, "refs/heads/main", "0".repeat(40), main, "bob"));
  return files;
}

async function installationGh(repo: string): Promise<GitHub> {
  const { ProbotOctokit } = await import("probot");
  return new ProbotOctokit({ auth: { token: stack.gh.installationToken(stack.gh.installationId(repo)) }, baseUrl: stack.gh.apiUrl, throttle: { enabled: false } }) as unknown as GitHub;
}

function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${stack.appUrl}${path}`, { headers, redirect: "manual" });
}

async function model(): Promise<StatusModel> {
  const res = await get("/converge/api/environments", { authorization: `Bearer ${TOKEN}` });
  expect(res.status).toBe(200);
  return (await res.json()) as StatusModel;
}

beforeAll(async () => {
  const logStream = new Writable({
    write(chunk, _enc, cb) {
      logLines.push(...String(chunk).split("\n").filter(Boolean));
      cb();
    },
  });
  stack = await startStack({ verifyTimeoutMs: 30_000, converge: { statusToken: TOKEN }, logLevel: "info", logStream });
  controller = startController(stack.kube, { readyAfterMs: 100 });

  // acme/shop: deployed and healthy; then someone edits a ConfigMap by hand → a drift issue.
  const shop = await repoWith("acme/shop", "shop");
  const bump = mergeChange(stack, "acme/shop", "bump", { "deploy/production/web.yaml": shop["deploy/production/web.yaml"]!.replace("web:1.4.2", "web:1.4.3") }, "Bump web to 1.4.3");
  await stack.deliver("push", pushPayload(stack, "acme/shop", bump));
  const cm = stack.kube.get("v1", "ConfigMap", "web-config", "shop")!;
  stack.kube.put({ ...cm, data: { LOG_LEVEL: "trace" } });
  const ref = parentRef("acme/shop", "production", "shop");
  const drift = await runDriftCheck(stack.rt, {
    gh: await installationGh("acme/shop"),
    repo: { owner: "acme", repo: "shop" },
    env: parseConfig(shop[".github/converge.yml"]!).environments[0]!,
    inventory: parseParent(stack.kube.get("v1", "ConfigMap", ref.name, ref.namespace), ref),
  });
  expect(drift).toMatchObject({ kind: "drifted" });

  // acme/billing: deployed once, then a merge with a typo (`spec.replica`) the API server rejects.
  const billing = await repoWith("acme/billing", "billing");
  const typo = billing["deploy/production/web.yaml"]!.replace("replicas: 2", "replica: 2");
  const m = mergeChange(stack, "acme/billing", "typo", { "deploy/production/web.yaml": typo }, "Scale billing web");
  await stack.deliver("push", pushPayload(stack, "acme/billing", m));
  const last = stack.gh.deployments("acme/billing").find((d) => d.sha === m.sha)!;
  expect(last.statuses.at(-1)!.state).toBe("failure");
}, 120_000);

afterAll(async () => {
  await controller?.stop();
  await stack?.close();
});

describe("status page over HTTP", () => {
  it("serves the JSON model: one healthy-but-drifted environment, one failed with its reason", async () => {
    const m = await model();
    expect(m.environments.map((e) => `${e.repository}/${e.environment}`)).toEqual(["acme/billing/production", "acme/shop/production"]);
    const [billing, shop] = m.environments;
    expect(shop).toMatchObject({ cluster: "sim", namespace: "shop", result: "succeeded", health: { state: "healthy", text: "Healthy" }, drift: { state: "drifted" } });
    expect(shop!.drift.issue?.url).toMatch(/\/acme\/shop\/issues\/\d+$/);
    expect(shop!.revision).toBe(stack.gh.ref("acme/shop", "main"));
    expect(shop!.commitUrl).toBe(`${stack.gh.url}/acme/shop/commit/${shop!.revision}`);
    expect(shop!.pull).toMatchObject({ title: "Bump web to 1.4.3" });
    expect(shop!.pull!.url).toMatch(/\/acme\/shop\/pull\/\d+$/);
    expect(shop!.deploys.map((d) => d.state)).toEqual(["success", "success"]);
    expect(shop!.deploys[0]!.sha).toBe(shop!.revision);
    expect(shop!.deploys[0]!.durationMs).toBeGreaterThanOrEqual(0);
    expect(billing!.health).toMatchObject({ state: "failed", text: "Failed: ValidationFailed", reason: "ValidationFailed" });
    expect(billing!.health.detail).toContain("nothing applied"); // GitHub keeps 140 characters of it
    expect(billing!.deploys.map((d) => d.state)).toEqual(["failure", "success"]);
    expect(billing!.reverts).toHaveLength(1);
    expect(billing!.reverts[0]!.url).toMatch(/\/acme\/billing\/pull\/\d+$/);
    expect(billing!.drift.state).toBe("in-sync");
    // The cluster still runs the last good revision; the failed merge is recorded as such on GitHub.
    expect(billing!.revision).not.toBe(stack.gh.ref("acme/billing", "main"));
    expect(stack.gh.unexpected).toEqual([]);
  });

  it("requires the token: 401 without it or with a wrong one, for the page and the API", async () => {
    for (const path of ["/converge", "/converge/api/environments"]) {
      expect((await get(path)).status).toBe(401);
      expect((await get(path, { authorization: "Bearer wrong" })).status).toBe(401);
      expect((await get(`${path}?token=wrong`)).status).toBe(401);
      expect((await get(path, { cookie: `converge_status=${TOKEN}` })).status).toBe(401); // the cookie holds an HMAC, not the token
    }
    const res = await get("/converge");
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
    expect(await res.text()).not.toContain(TOKEN);
  });

  it("?token= sets an HttpOnly SameSite=Strict cookie and redirects to the URL without the token", async () => {
    const res = await get(`/converge?token=${TOKEN}`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/converge");
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^converge_status=[\w-]+;/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).not.toContain(TOKEN);
    const page = await get("/converge", { cookie: cookie.split(";")[0]! });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
  });

  it("caches the model: a reload within the TTL costs no GitHub and no cluster calls", async () => {
    await model();
    const github = stack.gh.calls.length;
    const kube = stack.kube.requests.length;
    await model();
    const html = await get("/converge", { authorization: `Bearer ${TOKEN}` });
    expect(html.status).toBe(200);
    expect(stack.gh.calls.length).toBe(github);
    expect(stack.kube.requests.length).toBe(kube);
  });

  it("never logs the token (Probot's access log records URLs and headers: redacted at the log destination)", () => {
    const access = logLines.filter((l) => l.includes('"name":"http"') && l.includes("/converge"));
    expect(access.length).toBeGreaterThan(5);
    expect(access.some((l) => l.includes('"authorization":"[redacted]"'))).toBe(true);
    expect(access.some((l) => l.includes("?token=[redacted]"))).toBe(true);
    for (const l of logLines) expect(l).not.toContain(TOKEN);
    for (const l of logLines) expect(() => JSON.parse(l)).not.toThrow();
  });

  it("after the TTL, a fresh read costs no rate limit: every GitHub read is conditional and answered 304", async () => {
    const fresh = await startStack({ converge: { statusToken: TOKEN, statusCacheMs: 0 } }, stack);
    try {
      const read = () => fetch(`${fresh.appUrl}/converge/api/environments`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect((await read()).status).toBe(200);
      const from = stack.gh.calls.length;
      expect((await read()).status).toBe(200);
      const calls = stack.gh.calls.slice(from).filter((c) => !/^\/app(\/|$)/.test(c.path)); // the app's JWT calls have their own budget
      expect(calls.length).toBeGreaterThan(5);
      expect(calls.filter((c) => c.status !== 304).map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  it("is off (404) in an app without a status token", async () => {
    const plain = await startStack({}, stack);
    try {
      const res = await fetch(`${plain.appUrl}/converge`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(404);
      expect((await fetch(`${plain.appUrl}/converge/api/environments`)).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});

describe.skipIf(!hasChromium)("status page in Chromium", () => {
  let dir: string;
  let context: import("playwright-core").BrowserContext;

  beforeAll(async () => {
    const { chromium } = await import("playwright-core");
    dir = await mkdtemp(join(tmpdir(), "converge-status-page-"));
    // A fresh, empty profile per run (user-data-dir), as the machine's Chromium notes advise.
    context = await chromium.launchPersistentContext(join(dir, "profile"), {
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
      viewport: { width: 1440, height: 900 },
      colorScheme: "light",
    });
  });

  afterAll(async () => {
    await context?.close();
    if (dir && !process.env.CONVERGE_KEEP_SCREENSHOT) await rm(dir, { recursive: true, force: true });
  });

  it("answers 401 to a browser without the token", async () => {
    const page = await context.newPage();
    try {
      const res = await page.goto(`${stack.appUrl}/converge`);
      expect(res?.status()).toBe(401);
      expect(await page.locator("h1").textContent()).toBe("Token required");
    } finally {
      await page.close();
    }
  });

  it("renders every environment; the failed one in red with its reason; matches the JSON; screenshot", async () => {
    const page = await context.newPage();
    try {
      const res = await page.goto(`${stack.appUrl}/converge?token=${TOKEN}`);
      expect(res?.status()).toBe(200);
      expect(new URL(page.url()).search).toBe(""); // the token left the address bar
      const cookies = await context.cookies();
      expect(cookies.find((c) => c.name === "converge_status")).toMatchObject({ httpOnly: true, sameSite: "Strict" });

      const rows = page.locator("tr.env");
      await expect.poll(() => rows.count()).toBe(2);
      const seen = await rows.evaluateAll((trs) => trs.map((tr) => ({ repository: tr.getAttribute("data-repository"), environment: tr.getAttribute("data-environment"), health: tr.getAttribute("data-health"), drift: tr.getAttribute("data-drift") })));
      const json = await model();
      expect(seen).toEqual(json.environments.map((e) => ({ repository: e.repository, environment: e.environment, health: e.health.state, drift: e.drift.state })));

      const failed = page.locator('tr.env[data-repository="acme/billing"]');
      expect(await failed.getAttribute("class")).toContain("env--failed");
      const badge = failed.locator(".badge[data-health]");
      expect(await badge.textContent()).toBe("Failed: ValidationFailed");
      expect(await badge.evaluate((el) => getComputedStyle(el).color)).toBe("rgb(207, 34, 46)"); // --red
      expect(await failed.textContent()).toContain("nothing applied");
      expect(await failed.locator(".links .revert a").count()).toBe(1);

      const healthy = page.locator('tr.env[data-repository="acme/shop"]');
      const ok = healthy.locator(".badge[data-health]");
      expect(await ok.textContent()).toBe("Healthy");
      expect(await ok.evaluate((el) => getComputedStyle(el).color)).toBe("rgb(26, 127, 55)"); // --green
      const drift = healthy.locator(".badge[data-drift]");
      expect(await drift.textContent()).toMatch(/^Drift since (just now|\d+ s ago)$/);
      expect(await drift.evaluate((el) => getComputedStyle(el).color)).toBe("rgb(154, 103, 0)"); // --amber
      expect(await drift.locator("time").getAttribute("title")).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      expect(await healthy.locator("a.sha").getAttribute("href")).toBe(json.environments[1]!.commitUrl);
      expect(await healthy.locator("a.pr").getAttribute("href")).toBe(json.environments[1]!.pull!.url);
      expect(await failed.locator("a.failed-sha").textContent()).toBe(json.environments[0]!.deploys[0]!.sha.slice(0, 7));

      const file = join(dir, "status.png");
      await page.screenshot({ path: file, fullPage: true });
      const png = await readFile(file);
      expect((await stat(file)).size).toBeGreaterThan(5_000);
      expect(png.subarray(1, 4).toString()).toBe("PNG");
      if (process.env.CONVERGE_KEEP_SCREENSHOT) console.log(`status page screenshot: ${file}`);
    } finally {
      await page.close();
    }
  });
});
