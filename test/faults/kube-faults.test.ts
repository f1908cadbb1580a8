// The Kubernetes API misbehaving during deploys: 5xx and 429 (Retry-After
// honoured, and capped), a field owned by another manager (409), connections
// cut and lists failing in the middle of verification, and an API server that
// refuses every apply. Converge must retry what is worth retrying, report what
// is not with the server's own words, and never claim a success that did not
// happen. Converge talks to the cluster through a TCP proxy (tcp-proxy.ts).
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../support/stack.js";
import { startGitHubSim } from "../support/github/index.js";
import { startKubeSim, type RecordedRequest } from "../support/kube/index.js";
import { startController, type Controller } from "../support/kube/controller.js";
import { mergeChange, pushPayload } from "../support/merge.js";
import { shopFiles, withImage } from "../support/shop.js";
import { ANN_REVISION, ANN_RESULT, parentRef } from "../../src/inventory/applyset.js";
import { clientFor } from "../support/deploy.js";
import { Discovery } from "../../src/cluster/discovery.js";
import { serverSideApply } from "../../src/cluster/apply.js";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";

let stack: Stack;
let proxy: TcpProxy;
let controller: Controller;
/** Every request (the sim's own record: its status is filled in when answered), with when it arrived. */
const timeline: Array<RecordedRequest & { at: number }> = [];
let fault: ((r: RecordedRequest) => { status: number; headers?: Record<string, string>; body?: unknown } | undefined) | undefined;

beforeAll(async () => {
  const gh = await startGitHubSim();
  const kube = await startKubeSim();
  proxy = await startTcpProxy(kube.url);
  const dir = await mkdtemp(join(tmpdir(), "converge-kube-faults-"));
  const kubeconfigPath = join(dir, "kubeconfig");
  await writeFile(kubeconfigPath, kube.kubeconfig().replace(kube.url, proxy.url), { mode: 0o600 });
  // Retry-After is honoured up to 1.5 s here (default 10 s): a server asking for an hour must not park a deploy.
  stack = await startStack({ converge: { kubeClient: { maxRetryDelayMs: 1_500 } } }, { gh, kube, kubeconfigPath } as Stack);
  controller = startController(kube, { readyAfterMs: 50 });
  kube.intercept((r) => {
    timeline.push(Object.assign(r, { at: Date.now() }));
    return fault?.(r);
  });
}, 30_000);

afterEach(() => {
  fault = undefined;
});

afterAll(async () => {
  await controller?.stop();
  await stack?.close();
  await proxy?.close();
  await stack?.gh.close();
  await stack?.kube.close();
});

/** A repository with the shop in its own namespace, deployed once without faults. */
async function repoWith(name: string, namespace: string, config: string[] = []): Promise<Record<string, string>> {
  const files = await shopFiles({ namespace, config });
  stack.gh.createRepo(name, { files });
  await stack.deliver("push", stack.gh.events.push(name, "refs/heads/main", "0".repeat(40), stack.gh.ref(name, "main")!, "bob"));
  expect(statesOf(name, stack.gh.ref(name, "main")!)).toEqual(["in_progress", "success"]);
  return files;
}

function statesOf(repo: string, sha: string): string[] {
  return stack.gh.deployments(repo).filter((d) => d.sha === sha).flatMap((d) => d.statuses.map((s) => s.state));
}

function lastStatus(repo: string, sha: string): string {
  return stack.gh.deployments(repo).filter((d) => d.sha === sha).at(-1)?.statuses.at(-1)?.description ?? "";
}

function parentOf(repo: string, namespace: string) {
  const ref = parentRef(repo, "production", namespace);
  return stack.kube.get("v1", "ConfigMap", ref.name, ref.namespace)?.metadata.annotations ?? {};
}

function comments(repo: string, n: number): string[] {
  return stack.gh.comments(repo, n).map((c) => c.body);
}

const isApply = (r: RecordedRequest) => r.method === "PATCH" && r.query.dryRun === undefined && r.contentType === "application/apply-patch+yaml";

describe("transient API errors", () => {
  it("5xx and 429 (with Retry-After) on every third request: the deploy retries them and succeeds", async () => {
    const REPO = "acme/k-flaky";
    const files = await repoWith(REPO, "k-flaky");
    let n = 0;
    let injected = 0;
    fault = (r) => {
      if (++n % 3 !== 0 || r.query.watch) return undefined;
      injected++;
      return n % 9 === 0 ? { status: 429, headers: { "Retry-After": "1" } } : { status: [500, 503, 504][n % 3]! };
    };
    const m = mergeChange(stack, REPO, "bump", { "deploy/production/web.yaml": withImage(files, "ghcr.io/acme/web:2.0.0"), "deploy/production/config.yaml": files["deploy/production/config.yaml"]!.replace("info", "warn") }, "Bump");
    timeline.length = 0;
    await stack.deliver("push", pushPayload(stack, REPO, m));
    fault = undefined;
    expect(injected).toBeGreaterThan(10);
    expect(statesOf(REPO, m.sha)).toEqual(["in_progress", "success"]);
    expect(comments(REPO, m.number).some((b) => b.includes(`Deployed \`${m.sha.slice(0, 7)}\``))).toBe(true);
    expect(parentOf(REPO, "k-flaky")[ANN_REVISION]).toBe(m.sha);
    expect(JSON.stringify(stack.kube.get("apps/v1", "Deployment", "web", "k-flaky")!.spec)).toContain("ghcr.io/acme/web:2.0.0");
    expect(stack.kube.get("v1", "ConfigMap", "web-config", "k-flaky")!.data).toEqual({ LOG_LEVEL: "warn" });
    // Bounded: no request met more than its retries' worth of faults in a row.
    const streak = new Map<string, number>();
    let worst = 0;
    for (const r of timeline) {
      const key = `${r.method} ${r.path} ${r.query.dryRun ?? ""}`;
      const v = r.status >= 429 ? (streak.get(key) ?? 0) + 1 : 0;
      streak.set(key, v);
      worst = Math.max(worst, v);
    }
    expect(worst).toBeLessThanOrEqual(2);
  }, 30_000);

  it("honours a 429's Retry-After, but caps it: a server asking for an hour does not park the deploy", async () => {
    const REPO = "acme/k-retry-after";
    const files = await repoWith(REPO, "k-retry-after");
    const answered = new Set<string>();
    fault = (r) => {
      if (!isApply(r)) return undefined;
      if (r.path.endsWith("/configmaps/web-config") && !answered.has("cm")) return answered.add("cm"), { status: 429, headers: { "Retry-After": "1" } };
      if (r.path.endsWith("/deployments/web") && !answered.has("web")) return answered.add("web"), { status: 429, headers: { "Retry-After": "3600" } };
      return undefined;
    };
    const m = mergeChange(stack, REPO, "bump", { "deploy/production/web.yaml": withImage(files, "ghcr.io/acme/web:2.1.0"), "deploy/production/config.yaml": files["deploy/production/config.yaml"]!.replace("info", "warn") }, "Bump");
    timeline.length = 0;
    const t0 = Date.now();
    await stack.deliver("push", pushPayload(stack, REPO, m));
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(statesOf(REPO, m.sha)).toEqual(["in_progress", "success"]);
    const gap = (suffix: string) => {
      const [first, retry] = timeline.filter((r) => isApply(r) && r.path.endsWith(suffix));
      expect(first!.status).toBe(429);
      expect(retry!.status).toBe(200);
      return retry!.at - first!.at;
    };
    expect(gap("/configmaps/web-config")).toBeGreaterThanOrEqual(950); // Retry-After: 1 → about a second
    const capped = gap("/deployments/web");
    expect(capped).toBeGreaterThanOrEqual(700); // max(Retry-After, backoff) capped at 1.5 s, not an hour
    expect(capped).toBeLessThan(2_500);
  }, 30_000);
});

describe("409: a field owned by another manager", () => {
  it("fails the deploy with the server's message naming manager and field; with forceConflicts: true it succeeds", async () => {
    const REPO = "acme/k-conflict";
    const ns = "k-conflict";
    const files = await repoWith(REPO, ns, ["    onFailure: none"]);
    // An autoscaler took over spec.replicas (server-side apply, its own field manager).
    const other = clientFor(stack.kube.kubeconfig());
    try {
      const r = (await new Discovery(other).resource("apps/v1", "Deployment"))!;
      await serverSideApply(other, r, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: ns }, spec: { replicas: 5 } }, { fieldManager: "hpa-controller", force: true });
    } finally {
      other.close();
    }
    const m = mergeChange(stack, REPO, "scale", { "deploy/production/web.yaml": files["deploy/production/web.yaml"]!.replace("replicas: 2", "replicas: 3") }, "Scale to 3");
    await stack.deliver("push", pushPayload(stack, REPO, m));
    expect(statesOf(REPO, m.sha)).toEqual(["failure"]); // refused at dry-run: nothing applied, never in progress
    expect(lastStatus(REPO, m.sha)).toMatch(/^ValidationFailed: .*conflict with "hpa-controller"/);
    const comment = comments(REPO, m.number).find((b) => b.includes("failed"))!;
    expect(comment).toContain("hpa-controller");
    expect(comment).toContain(".spec.replicas");
    expect(comment).toContain("nothing applied");
    expect((stack.kube.get("apps/v1", "Deployment", "web", ns)!.spec as { replicas: number }).replicas).toBe(5);
    expect(parentOf(REPO, ns)[ANN_REVISION]).not.toBe(m.sha);

    // The policy says Git wins (config from the default branch) and the next change goes through.
    const forced = mergeChange(stack, REPO, "force", {
      ".github/converge.yml": `${files[".github/converge.yml"]!}    forceConflicts: true\n`,
      "deploy/production/web.yaml": files["deploy/production/web.yaml"]!.replace("replicas: 2", "replicas: 4"),
    }, "Git owns replicas");
    await stack.deliver("push", pushPayload(stack, REPO, forced));
    expect(statesOf(REPO, forced.sha)).toEqual(["in_progress", "success"]);
    const live = stack.kube.get("apps/v1", "Deployment", "web", ns)!;
    expect((live.spec as { replicas: number }).replicas).toBe(4);
    const managed = (live.metadata as { managedFields?: Array<{ manager: string; fieldsV1?: { "f:spec"?: Record<string, unknown> } }> }).managedFields ?? [];
    const owners = managed.filter((f) => f.fieldsV1?.["f:spec"]?.["f:replicas"] !== undefined).map((f) => f.manager);
    expect(owners).toEqual(["converge"]);
  }, 30_000);
});

describe("verification reads failing", () => {
  it("connections cut in the middle of verification are retried: the deploy succeeds", async () => {
    const REPO = "acme/k-drop";
    const files = await repoWith(REPO, "k-drop");
    let drops = 0;
    let lists = 0;
    fault = (r) => {
      // Cut every connection while the 2nd and 4th verification LIST is in flight (after the applies):
      // the client sees ECONNRESET instead of an answer.
      if (r.method === "GET" && r.query.labelSelector?.startsWith("applyset.kubernetes.io/part-of") && timeline.some(isApply) && [2, 4].includes(++lists)) {
        drops += proxy.dropAll();
      }
      return undefined;
    };
    const client = stack.rt.clusters.client("sim")!;
    const errorsBefore = client.stats.errors;
    const m = mergeChange(stack, REPO, "bump", { "deploy/production/web.yaml": withImage(files, "ghcr.io/acme/web:2.2.0") }, "Bump");
    timeline.length = 0;
    await stack.deliver("push", pushPayload(stack, REPO, m));
    expect(drops).toBeGreaterThan(0);
    expect(client.stats.errors - errorsBefore).toBeGreaterThan(0); // connection failures, retried
    expect(statesOf(REPO, m.sha)).toEqual(["in_progress", "success"]);
    expect(parentOf(REPO, "k-drop")[ANN_REVISION]).toBe(m.sha);
  }, 30_000);

  it("lists that keep failing during verification: reported as not verified, never as a success", async () => {
    const REPO = "acme/k-blind";
    const ns = "k-blind";
    const files = await repoWith(REPO, ns, ["    verify: { timeout: 3 }", "    onFailure: none"]);
    fault = (r) => (r.method === "GET" && timeline.some(isApply) && /\/(deployments|pods|replicasets)$/.test(r.path) ? { status: 503 } : undefined);
    const m = mergeChange(stack, REPO, "bump", { "deploy/production/web.yaml": withImage(files, "ghcr.io/acme/web:2.3.0") }, "Bump");
    timeline.length = 0;
    const t0 = Date.now();
    await stack.deliver("push", pushPayload(stack, REPO, m));
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(statesOf(REPO, m.sha)).toEqual(["in_progress", "failure"]);
    expect(lastStatus(REPO, m.sha)).toMatch(/^Timeout: .*(could not|ServiceUnavailable|unable)/i);
    expect(comments(REPO, m.number).some((b) => b.includes("failed") && b.includes("Timeout"))).toBe(true);
    const parent = parentOf(REPO, ns);
    expect(parent[ANN_REVISION]).not.toBe(m.sha);
    expect(parent[ANN_RESULT]).toBe("failed");
  }, 30_000);
});

describe("an API server that refuses every apply", () => {
  it("persistent 500 on applies: the Deployment fails with the server's reason, the PR comment says failed, the inventory keeps the old revision", async () => {
    const REPO = "acme/k-refuse";
    const ns = "k-refuse";
    const files = await repoWith(REPO, ns, ["    onFailure: none"]);
    const before = parentOf(REPO, ns)[ANN_REVISION];
    fault = (r) => (isApply(r) ? { status: 500 } : undefined);
    const m = mergeChange(stack, REPO, "bump", { "deploy/production/web.yaml": withImage(files, "ghcr.io/acme/web:2.4.0") }, "Bump");
    await stack.deliver("push", pushPayload(stack, REPO, m));
    fault = undefined;
    expect(statesOf(REPO, m.sha)).toEqual(["in_progress", "failure"]);
    const status = lastStatus(REPO, m.sha);
    expect(status).toMatch(/^ApplyFailed: /);
    expect(status).toContain("injected fault"); // the server's message
    const comment = comments(REPO, m.number).find((b) => b.includes(m.sha.slice(0, 7)))!;
    expect(comment).toContain("failed");
    expect(comment).toContain("ApplyFailed");
    expect(parentOf(REPO, ns)[ANN_REVISION]).toBe(before);
    expect(JSON.stringify(stack.kube.get("apps/v1", "Deployment", "web", ns)!.spec)).not.toContain("2.4.0");
    expect(stack.gh.deployments(REPO).filter((d) => !["success", "failure", "error", "inactive"].includes(d.statuses.at(-1)?.state ?? ""))).toEqual([]);
  }, 30_000);
});
