// Metrics from domain events (one registry per app instance) and the
// readiness cache, with plain data and fake probes.
import { describe, expect, it } from "vitest";
import { ConvergeEmitter } from "../../src/agent/events.js";
import { createMetrics } from "../../src/observe/metrics.js";
import { Readiness, type ReadinessProbes } from "../../src/observe/health.js";
import type { KubeClient } from "../../src/cluster/client.js";

const repo = { owner: "acme", repo: "shop" };

describe("createMetrics", () => {
  it("turns domain events into counters and histograms", async () => {
    const events = new ConvergeEmitter();
    const m = createMetrics(events, { defaultMetrics: false });
    events.emit("webhook", { event: "push", outcome: "queued" });
    events.emit("webhook", { event: "push", outcome: "duplicate" });
    events.emit("preview", { repo, env: "production", result: "success", ms: 1500 });
    events.emit("preview", { repo, env: "production", result: "failure", ms: 800 });
    events.emit("deploy", { repo, env: "production", sha: "a".repeat(40), trigger: "push", result: "success", reason: "Healthy", ms: 12_000, message: "" });
    events.emit("deploy", { repo, env: "staging", sha: "b".repeat(40), trigger: "drift", result: "failure", reason: "Degraded", ms: 3_000, message: "" });
    events.emit("drift", { repo, env: "production", action: "detected", objects: 2 });
    events.emit("revert", { repo, env: "production", sha: "c".repeat(40), outcome: { kind: "opened", number: 3, merged: true } });
    events.emit("revert", { repo, env: "production", sha: "c".repeat(40), outcome: { kind: "conflict", paths: ["a"] } });
    m.rateLimit("17", 4321);
    m.kubeRequest("prod-eu", "PATCH", 200);
    m.kubeRequest("prod-eu", "GET", 0);
    m.kubeRequest("prod-eu", "GET", 429);
    const text = await m.registry.metrics();
    expect(text).toContain('converge_webhooks_total{event="push",outcome="queued"} 1');
    expect(text).toContain('converge_webhooks_total{event="push",outcome="duplicate"} 1');
    expect(text).toContain('converge_previews_total{environment="production",result="success"} 1');
    expect(text).toContain('converge_preview_duration_seconds_bucket{le="2",environment="production"} 2');
    expect(text).toContain('converge_preview_duration_seconds_sum{environment="production"} 2.3');
    expect(text).toContain('converge_deploys_total{environment="production",result="success",trigger="push"} 1');
    expect(text).toContain('converge_deploys_total{environment="staging",result="failure",trigger="drift"} 1');
    expect(text).toContain('converge_deploy_duration_seconds_count{environment="production",result="success"} 1');
    expect(text).toContain('converge_drift_detected_total{environment="production",action="detected"} 1');
    expect(text).toContain('converge_revert_prs_opened_total{environment="production",outcome="merged"} 1');
    expect(text).toContain('converge_revert_prs_opened_total{environment="production",outcome="conflict"} 1');
    expect(text).toContain('converge_github_rate_limit_remaining{installation="17"} 4321');
    expect(text).toContain('converge_kubernetes_requests_total{cluster="prod-eu",verb="PATCH",code="200"} 1');
    expect(text).toContain('converge_kubernetes_requests_total{cluster="prod-eu",verb="GET",code="0"} 1');
    expect(text).toContain('converge_kubernetes_request_errors_total{cluster="prod-eu",verb="GET"} 2');
    expect(text).not.toContain("process_cpu");
    m.stop();
  });

  it("keeps app instances apart (own registry), and stop() unsubscribes", async () => {
    const a = new ConvergeEmitter();
    const b = new ConvergeEmitter();
    const ma = createMetrics(a);
    const mb = createMetrics(b);
    a.emit("webhook", { event: "push", outcome: "queued" });
    expect(await ma.registry.metrics()).toContain('converge_webhooks_total{event="push",outcome="queued"} 1');
    expect(await mb.registry.metrics()).not.toContain('outcome="queued"');
    expect(await ma.registry.metrics()).toContain("process_cpu_user_seconds_total");
    ma.stop();
    a.emit("webhook", { event: "push", outcome: "queued" });
    expect(await ma.registry.metrics()).toContain('converge_webhooks_total{event="push",outcome="queued"} 1');
    expect(a.listenerCount("webhook")).toBe(0);
    mb.stop();
  });
});

describe("Readiness", () => {
  function probes(state: { credentials: boolean; clusters: Record<string, "ok" | "down" | "forbidden-version" | "hang"> }, calls: string[]): ReadinessProbes {
    return {
      async credentials() {
        calls.push("credentials");
        if (!state.credentials) throw new Error("secretOrPrivateKey must be an asymmetric key when using RS256");
      },
      registryError: () => undefined,
      clusters: () => Object.keys(state.clusters),
      client: (name) =>
        ({
          async request(_method: string, path: string) {
            calls.push(`${name} ${path}`);
            const mode = state.clusters[name];
            if (mode === "hang") return new Promise(() => undefined);
            if (mode === "down") throw Object.assign(new Error(`cannot reach https://${name}:6443: connect ECONNREFUSED (token ghs_abcdefghijklmnopqrstuvwxyz0123)`), { status: 0 });
            if (mode === "forbidden-version" && path === "/version") throw Object.assign(new Error("forbidden"), { status: 403 });
            return { gitVersion: "v1.32.0" };
          },
        }) as unknown as KubeClient,
    };
  }

  it("is ready when credentials load and every cluster answers; names what is not; never echoes a token", async () => {
    const calls: string[] = [];
    const state = { credentials: true, clusters: { a: "ok", b: "forbidden-version", c: "down" } as Record<string, "ok" | "down" | "forbidden-version" | "hang"> };
    const r = new Readiness(probes(state, calls), 0);
    const report = await r.report();
    expect(report.ready).toBe(false);
    expect(report.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(["cluster:c"]);
    expect(report.checks.find((c) => c.name === "cluster:b")!.ok).toBe(true); // /version hidden, /api answers
    expect(calls).toContain("b /api");
    expect(JSON.stringify(report)).not.toContain("ghs_abcdefghij");
    state.clusters.c = "ok";
    expect((await r.report()).ready).toBe(true);
    state.credentials = false;
    const bad = await r.report();
    expect(bad.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(["credentials"]);
  });

  it("caches the answer for the TTL and shares one check between concurrent probes", async () => {
    const calls: string[] = [];
    let now = 1_000_000;
    const r = new Readiness(probes({ credentials: true, clusters: { a: "ok" } }, calls), 10_000, 3_000, () => now);
    await Promise.all([r.report(), r.report(), r.report()]);
    expect(calls).toEqual(["credentials", "a /version"]);
    now += 9_000;
    await r.report();
    expect(calls).toHaveLength(2);
    now += 2_000;
    await r.report();
    expect(calls).toHaveLength(4);
  });

  it("gives up on a cluster that does not answer within the timeout", async () => {
    const r = new Readiness(probes({ credentials: true, clusters: { slow: "hang" } }, []), 0, 50);
    const t0 = Date.now();
    const report = await r.report();
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(report.checks.find((c) => c.name === "cluster:slow")).toMatchObject({ ok: false, error: "no answer within 50 ms" });
  });

  it("is not ready when the cluster registry did not load", async () => {
    const r = new Readiness({ ...probes({ credentials: true, clusters: {} }, []), registryError: () => "clusters.yaml: cluster \"prod\": kubeconfig not found" }, 0);
    const report = await r.report();
    expect(report.ready).toBe(false);
    expect(report.checks).toContainEqual(expect.objectContaining({ name: "registry", ok: false }));
  });
});
