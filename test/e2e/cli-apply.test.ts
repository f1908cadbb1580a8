// `converge apply`: the deploy pipeline from a clean local checkout.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startKubeSim, type KubeSim } from "../support/kube/index.js";
import { startController, type Controller } from "../support/kube/controller.js";
import { workspace, type Workspace } from "../support/workspace.js";
import { cli } from "../support/cli.js";

let sim: KubeSim;
let controller: Controller;
let kubeconfig: string;
let ws: Workspace;

function git(...args: string[]): string {
  return execFileSync("git", ["-C", ws.root, ...args], { encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" } }).trim();
}

function apply(...extra: string[]) {
  return cli(["apply", "--env", "production", "--dir", ws.root, "--kubeconfig", kubeconfig, "--timeout", "20", ...extra]);
}

beforeAll(async () => {
  sim = await startKubeSim();
  controller = startController(sim, { images: [{ match: /:broken/, behaviour: "crashloop" }], readyAfterMs: 100 });
  kubeconfig = sim.writeKubeconfig(await mkdtemp(join(tmpdir(), "converge-kc-")));
  ws = await workspace("shop");
  git("init", "-q", "-b", "main");
  git("remote", "add", "origin", "git@github.com:acme/shop-cli.git");
  git("add", "-A");
  git("commit", "-qm", "initial");
});

afterAll(async () => {
  await controller?.stop();
  await sim?.close();
  await ws?.dispose();
});

describe("converge apply", () => {
  it("applies HEAD, stamps its SHA, and exits 0 once healthy", async () => {
    const r = await apply();
    expect(r.err).toContain("applied");
    expect(r.code).toBe(0);
    const head = git("rev-parse", "HEAD");
    const web = sim.get("apps/v1", "Deployment", "web", "shop")!;
    expect(web.metadata.annotations?.["converge.dev/revision"]).toBe(head);
    expect(web.metadata.annotations?.["converge.dev/repository"]).toBe("acme/shop-cli");
  });

  it("refuses uncommitted changes under the environment's path", async () => {
    await ws.edit("deploy/production/config.yaml", (t) => t.replace("info", "debug"));
    const r = await apply();
    expect(r.code).toBe(2);
    expect(r.err).toContain("uncommitted changes under deploy/production");
    expect(sim.get("v1", "ConfigMap", "web-config", "shop")!.data).toEqual({ LOG_LEVEL: "info" });
    git("checkout", "--", "deploy/production/config.yaml");
  });

  it("exits 1 with the failing pod when verification fails", async () => {
    await ws.edit("deploy/production/web.yaml", (t) => t.replace("web:1.4.2", "web:broken"));
    git("commit", "-qam", "broken");
    const r = await apply();
    expect(r.code).toBe(1);
    expect(r.err).toContain("CrashLoopBackOff");
    expect(r.err).toContain("Deployment shop/web");
  });

  it("exits 2 and applies nothing when the server rejects a manifest", async () => {
    await ws.edit("deploy/production/web.yaml", (t) => t.replace("web:broken", "web:1.4.2").replace("replicas: 2", "replica: 2"));
    git("commit", "-qam", "typo");
    sim.resetRequests();
    const r = await apply();
    expect(r.code).toBe(2);
    expect(r.err).toContain("spec.replica");
    expect(sim.requests.filter((q) => q.method === "PATCH" && q.query.dryRun !== "All" && !q.path.includes("/leases/"))).toEqual([]);
  });
});
