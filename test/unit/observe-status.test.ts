// The status page's pure parts: health and drift from the recorded facts,
// the HTML (escaped, colour + words, exact times in titles), the token check
// and the model cache.
import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { deriveDrift, deriveHealth, splitReason, type DeployRecord, type EnvironmentStatus, type StatusModel } from "../../src/status/model.js";
import { ago, duration, renderStatusPage } from "../../src/status/html.js";
import { StatusAuth } from "../../src/status/auth.js";
import { ModelCache } from "../../src/status/page.js";
import type { InventoryState } from "../../src/inventory/applyset.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const inv = (over: Partial<InventoryState>): InventoryState => ({ id: "applyset-x-v1", groupKinds: [], namespaces: ["shop"], inputs: [], ...over });
const dep = (state: string, over: Partial<DeployRecord> = {}): DeployRecord => ({ sha: SHA, state, description: "", createdAt: "2026-05-01T10:00:00Z", updatedAt: "2026-05-01T10:00:30Z", ...over });

describe("deriveHealth", () => {
  it("healthy: the newest meaningful deployment succeeded (superseded ones are skipped)", () => {
    expect(deriveHealth(inv({ result: "succeeded", revision: SHA }), [dep("inactive", { description: "Superseded by 89abcde" }), dep("success")])).toMatchObject({ state: "healthy", text: "Healthy" });
  });
  it("failed: red with the deploy's reason, the rest as detail", () => {
    const h = deriveHealth(inv({ result: "succeeded", revision: SHA }), [dep("failure", { description: "Degraded: Deployment shop/web: ImagePullBackOff" }), dep("success")]);
    expect(h).toMatchObject({ state: "failed", text: "Failed: Degraded", reason: "Degraded", detail: "Deployment shop/web: ImagePullBackOff" });
  });
  it("deploying: a deployment in progress", () => {
    expect(deriveHealth(inv({ result: "succeeded" }), [dep("in_progress"), dep("success")])).toMatchObject({ state: "deploying", text: "Deploying 0123456" });
  });
  it("falls back to the inventory when GitHub has no deployments", () => {
    expect(deriveHealth(inv({ result: "failed", failedRevision: SHA }), [])).toMatchObject({ state: "failed", detail: "revision 0123456" });
    expect(deriveHealth(inv({ result: "succeeded", revision: SHA, appliedAt: "2026-05-01T10:00:00Z" }), [])).toMatchObject({ state: "healthy", since: "2026-05-01T10:00:00Z" });
    expect(deriveHealth(inv({}), [])).toMatchObject({ state: "unknown", text: "Not deployed yet" });
    expect(deriveHealth(undefined, [])).toMatchObject({ state: "unknown" });
  });
  it("splits a status description into reason and detail", () => {
    expect(splitReason("ValidationFailed: 1 error, nothing applied: web.yaml: x")).toEqual({ reason: "ValidationFailed", detail: "1 error, nothing applied: web.yaml: x" });
    expect(splitReason("")).toEqual({ reason: "no reason given" });
    expect(splitReason("something odd")).toEqual({ reason: "something odd" });
  });
});

describe("deriveDrift", () => {
  it("drifted while a drift issue is open (since its first-seen time); off; in sync", () => {
    expect(deriveDrift("report", { number: 4, title: "Drift detected in production", url: "https://ghe/x/issues/4", firstSeen: "2026-05-01T09:00:00Z" })).toMatchObject({ state: "drifted", since: "2026-05-01T09:00:00Z", issue: { number: 4 } });
    expect(deriveDrift("off", undefined)).toMatchObject({ state: "off" });
    expect(deriveDrift("heal", undefined)).toMatchObject({ state: "in-sync", text: "In sync (heals itself)" });
  });
});

function env(over: Partial<EnvironmentStatus> = {}): EnvironmentStatus {
  return {
    repository: "acme/shop",
    repositoryUrl: "https://github.example/acme/shop",
    environment: "production",
    cluster: "prod-eu",
    namespace: "shop",
    branch: "main",
    revision: SHA,
    commitUrl: `https://github.example/acme/shop/commit/${SHA}`,
    health: { state: "healthy", text: "Healthy", since: "2026-05-01T10:00:30Z" },
    drift: { state: "in-sync", text: "In sync" },
    deploys: [dep("success", { durationMs: 30_000 })],
    deploymentsUrl: "https://github.example/acme/shop/deployments/production",
    reverts: [],
    problems: [],
    ...over,
  };
}

describe("renderStatusPage", () => {
  const now = Date.parse("2026-05-01T10:03:30Z");

  it("one row per environment: links, colours with words, relative times with exact ISO titles", () => {
    const model: StatusModel = {
      generatedAt: "2026-05-01T10:03:25Z",
      problems: [],
      environments: [
        env({ pull: { number: 7, title: "Bump web", url: "https://github.example/acme/shop/pull/7" } }),
        env({
          repository: "acme/billing",
          health: { state: "failed", text: "Failed: Degraded", reason: "Degraded", detail: "Deployment billing/web: CrashLoopBackOff" },
          drift: { state: "drifted", text: "Drift", since: "2026-05-01T09:03:30Z", issue: { number: 9, title: "Drift detected in production", url: "https://github.example/acme/billing/issues/9" } },
          reverts: [{ number: 8, title: 'Revert "Bump"', url: "https://github.example/acme/billing/pull/8" }],
          deploys: [dep("failure", { description: "Degraded: …", durationMs: 95_000 }), dep("inactive", { description: "Superseded by 1234567" })],
        }),
      ],
    };
    const html = renderStatusPage(model, { now, cacheSeconds: 30 });
    expect(html.match(/<tr class="env /g)).toHaveLength(2);
    expect(html).toContain(`<a class="sha" href="https://github.example/acme/shop/commit/${SHA}"><code>0123456</code></a>`);
    expect(html).toContain('href="https://github.example/acme/shop/pull/7"');
    expect(html).toContain('<span class="badge green" data-health="healthy">Healthy</span>');
    expect(html).toContain('<span class="badge red" data-health="failed">Failed: Degraded</span>');
    expect(html).toContain("CrashLoopBackOff");
    expect(html).toContain('<span class="badge amber" data-drift="drifted">Drift since <time datetime="2026-05-01T09:03:30.000Z" title="2026-05-01T09:03:30.000Z">60 min ago</time></span>');
    expect(html).toContain("Revert PR #8");
    expect(html).toContain("Drift issue #9");
    expect(html).toContain(">superseded<");
    expect(html).toContain("in 1 min 35 s");
    expect(html).toContain('title="2026-05-01T10:00:00.000Z">4 min ago</time>');
    expect(html).toContain("cached for 30 s");
    expect(html).not.toContain("<script");
  });

  it("escapes everything that came from repositories and refuses non-http links", () => {
    const html = renderStatusPage(
      {
        generatedAt: "2026-05-01T10:03:25Z",
        problems: [{ repository: "acme/<b>x</b>", message: "<img src=x onerror=alert(1)>" }],
        environments: [env({ environment: '"><script>alert(1)</script>', health: { state: "failed", text: "Failed: <i>x</i>", detail: "a & b" }, pull: { number: 1, title: '" onmouseover="x', url: "javascript:alert(1)" } })],
      },
      { now },
    );
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain("javascript:");
    expect(html).toContain("&quot;&gt;&lt;script&gt;");
    expect(html).toContain("Failed: &lt;i&gt;x&lt;/i&gt;");
    expect(html).toContain("a &amp; b");
  });

  it("says so when there is nothing to show, and when the data is stale", () => {
    const html = renderStatusPage({ generatedAt: "2026-05-01T10:00:00Z", environments: [], problems: [] }, { now, stale: "GitHub answered 502" });
    expect(html).toContain("No environments yet");
    expect(html).toContain("a fresh read failed (GitHub answered 502)");
  });

  it("formats ages and durations for people", () => {
    expect(ago(3_000)).toBe("just now");
    expect(ago(42_000)).toBe("42 s ago");
    expect(ago(3 * 60_000)).toBe("3 min ago");
    expect(ago(5 * 3600_000)).toBe("5 h ago");
    expect(ago(3 * 86400_000)).toBe("3 d ago");
    expect(duration(400)).toBe("<1 s");
    expect(duration(12_000)).toBe("12 s");
    expect(duration(180_000)).toBe("3 min");
  });
});

describe("StatusAuth", () => {
  const auth = new StatusAuth("s3cret-token-value");
  const req = (headers: Record<string, string>) => ({ headers, socket: {} }) as unknown as IncomingMessage;
  const url = (q = "") => new URL(`http://x/converge${q}`);

  it("accepts the bearer token, refuses others", () => {
    expect(auth.check(req({ authorization: "Bearer s3cret-token-value" }), url())).toEqual({ ok: true });
    expect(auth.check(req({ authorization: "bearer s3cret-token-value" }), url())).toEqual({ ok: true });
    expect(auth.check(req({ authorization: "Bearer s3cret-token-valuX" }), url())).toEqual({ ok: false });
    expect(auth.check(req({ authorization: "Basic czNjcmV0" }), url())).toEqual({ ok: false });
    expect(auth.check(req({}), url())).toEqual({ ok: false });
  });

  it("?token= → an HttpOnly SameSite=Strict cookie (an HMAC, not the token) and a redirect without the token", () => {
    const r = auth.check(req({}), url("?token=s3cret-token-value&x=1"));
    expect(r).toMatchObject({ ok: true, redirect: "/converge?x=1" });
    const cookie = (r as { setCookie: string }).setCookie;
    expect(cookie).toMatch(/^converge_status=[\w-]+; Path=\/converge; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toContain("s3cret");
    const value = cookie.split(";")[0]!;
    expect(auth.check(req({ cookie: `other=1; ${value}` }), url())).toEqual({ ok: true });
    expect(auth.check(req({ cookie: "converge_status=s3cret-token-value" }), url())).toEqual({ ok: false });
    expect(auth.check(req({ "x-forwarded-proto": "https" }), url("?token=s3cret-token-value"))).toMatchObject({ setCookie: expect.stringContaining("; Secure") });
    expect(auth.check(req({}), url("?token=wrong"))).toEqual({ ok: false });
  });
});

describe("ModelCache", () => {
  it("serves one read for the TTL, shares it between concurrent views, and falls back to the last good model", async () => {
    let now = 0;
    let reads = 0;
    let fail = false;
    const cache = new ModelCache(
      async () => {
        reads++;
        if (fail) throw new Error("GitHub answered 502");
        return { generatedAt: String(reads), environments: [], problems: [] };
      },
      30_000,
      () => now,
    );
    await Promise.all([cache.get(), cache.get(), cache.get()]);
    expect(reads).toBe(1);
    now = 29_999;
    await cache.get();
    expect(reads).toBe(1);
    now = 30_000;
    expect((await cache.get()).model.generatedAt).toBe("2");
    fail = true;
    now = 70_000;
    expect(await cache.get()).toMatchObject({ model: { generatedAt: "2" }, stale: "GitHub answered 502" });
    const empty = new ModelCache(async () => Promise.reject(new Error("down")), 30_000);
    await expect(empty.get()).rejects.toThrow("down");
  });
});
