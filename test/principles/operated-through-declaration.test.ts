// Operated through declaration: nobody changes the system except by changing
// Git, and every mutation the agent makes is traceable to a commit SHA. Over
// a deploy, a deploy that prunes, a drift correction and a failed deploy,
// every mutating request Converge sent to the cluster (outside its Lease and
// its ApplySet parent) falls inside a GitHub Deployment for the commit it
// carries, and every object it applied is stamped with that commit and the
// repository.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../support/stack.js";
import { startController, type Controller } from "../support/kube/controller.js";
import { mergeChange, pushPayload } from "../support/merge.js";
import { withImage } from "../support/shop.js";
import type { RecordedRequest } from "../support/kube/index.js";
import { runDriftCheck } from "../../src/agent/drift.js";
import { ANN_REPOSITORY, ANN_REVISION } from "../../src/inventory/applyset.js";
import type { GitHub } from "../../src/github/types.js";
import type { KubeObject } from "../../src/manifests/object.js";
import { createRepo, inventory, isBookkeeping, isMutation, managedFields, type Repo } from "./support.js";

let stack: Stack;
let controller: Controller;
let repo: Repo;
/** One clock for both simulators: the order in which requests reached them. */
let seq = 0;
const kubeSeq = new WeakMap<RecordedRequest, number>();
const statusPosts: Array<{ seq: number; deployment: number; state: string }> = [];

beforeAll(async () => {
  stack = await startStack({ verifyTimeoutMs: 20_000 });
  controller = startController(stack.kube, { images: [{ match: /:broken/, behaviour: "crashloop" }], readyAfterMs: 50 });
  stack.kube.intercept((r) => void kubeSeq.set(r, ++seq));
  stack.gh.intercept((r) => {
    const m = /\/deployments\/(\d+)\/statuses$/.exec(r.path);
    if (r.method === "POST" && m) statusPosts.push({ seq: ++seq, deployment: Number(m[1]), state: (r.body as { state: string }).state });
    return undefined;
  });
  repo = await createRepo(stack, "acme/declared", "declared", ["    onFailure: revert-pr"]);
  const main = stack.gh.ref(repo.name, "main")!;

  // 1. the first deploy (creates everything)
  await stack.deliver("push", stack.gh.events.push(repo.name, "refs/heads/main", "0".repeat(40), main, "bob"));
  // 2. a deploy that updates and prunes
  const m2 = mergeChange(stack, repo.name, "prune", { "deploy/production/web.yaml": withImage(repo.files, "ghcr.io/acme/web:1.5.0"), "deploy/production/config.yaml": null }, "Drop the config");
  await stack.deliver("push", pushPayload(stack, repo.name, m2));
  // 3. a drift correction of a hand edit
  const web = stack.kube.get("apps/v1", "Deployment", "web", repo.namespace)!;
  stack.kube.put({ ...web, spec: { ...(web.spec as object), replicas: 4 } });
  const { ProbotOctokit } = await import("probot");
  const gh = new ProbotOctokit({ auth: { token: stack.gh.installationToken(stack.gh.installationId(repo.name)) }, baseUrl: stack.gh.apiUrl, throttle: { enabled: false } }) as unknown as GitHub;
  const healed = await runDriftCheck(stack.rt, { gh, repo: { owner: "acme", repo: "declared" }, env: { ...repo.env, drift: { interval: 60, action: "heal" } }, inventory: inventory(stack, repo) });
  expect(healed).toMatchObject({ kind: "drifted" });
  await stack.idle();
  // 4. a deploy that fails verification (its objects were applied: mutations too)
  const m4 = mergeChange(stack, repo.name, "broken", { "deploy/production/web.yaml": withImage(repo.files, "ghcr.io/acme/web:broken") }, "Break it");
  await stack.deliver("push", pushPayload(stack, repo.name, m4));
});

afterAll(async () => {
  stack?.kube.intercept(undefined);
  await controller?.stop();
  await stack?.close();
});

/** Each Deployment's window: from its in_progress status to its final status, in request order. */
function windows() {
  const out: Array<{ id: number; sha: string; from: number; to: number; state: string }> = [];
  for (const d of stack.gh.deployments(repo.name)) {
    const start = statusPosts.find((p) => p.deployment === d.id && p.state === "in_progress");
    const end = statusPosts.find((p) => p.deployment === d.id && (p.state === "success" || p.state === "failure"));
    if (start && end) out.push({ id: d.id, sha: d.sha, from: start.seq, to: end.seq, state: end.state });
  }
  return out;
}

describe("operated through declaration: every mutation is traceable to a commit", () => {
  it("sends every mutation inside a GitHub Deployment of the commit it applies", () => {
    const mutations = stack.kube.requests.filter((r) => isMutation(r) && !isBookkeeping(r.path, repo));
    const ws = windows();
    expect(ws.map((w) => w.state)).toEqual(["success", "success", "success", "failure"]);
    expect(mutations.filter((r) => r.method === "DELETE")).toHaveLength(1); // the prune
    expect(mutations.length).toBeGreaterThanOrEqual(5 + 1 + 1 + 1);

    const appliedBy = new Map<string, string>(); // request path → repository that applied it
    for (const r of mutations) {
      const at = kubeSeq.get(r)!;
      const within = ws.filter((w) => w.from < at && at < w.to);
      expect(within, `${r.method} ${r.path} outside every Deployment`).toHaveLength(1);
      const w = within[0]!;
      if (r.method === "DELETE") {
        // A prune: only of an object this repository applied before.
        expect(appliedBy.get(r.path), `${r.path} pruned but never applied by ${repo.name}`).toBe(repo.name);
        continue;
      }
      expect(r.method).toBe("PATCH");
      const body = r.body as KubeObject;
      expect(body.metadata.annotations?.[ANN_REVISION], `${r.path}`).toBe(w.sha);
      expect(body.metadata.annotations?.[ANN_REPOSITORY]).toBe(repo.name);
      appliedBy.set(r.path, repo.name);
    }
    // The Deployments name real commits of the repository.
    for (const w of ws) expect(stack.gh.state.requireRepo(repo.name).objects.commit(w.sha), w.sha).toBeDefined();
  });

  it("stamps every object it applied with the source commit and the repository", () => {
    const ours = stack.kube.list().filter((o) => managedFields(o).some((e) => e.manager === "converge") && o.kind !== "Lease" && !isBookkeeping(`/api/v1/namespaces/${o.metadata.namespace}/configmaps/${o.metadata.name}`, repo));
    expect(ours.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(["Deployment/web", "Namespace/declared", "Secret/web-credentials", "Service/web"]);
    const last = windows().at(-1)!;
    for (const o of ours) {
      expect(o.metadata.annotations?.[ANN_REVISION], `${o.kind}/${o.metadata.name}`).toBe(last.sha);
      expect(o.metadata.annotations?.[ANN_REPOSITORY]).toBe(repo.name);
    }
    // The pruned ConfigMap is gone, not left behind unstamped.
    expect(stack.kube.get("v1", "ConfigMap", "web-config", repo.namespace)).toBeUndefined();
  });
});
