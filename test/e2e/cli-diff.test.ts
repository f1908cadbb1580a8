// `converge diff` end to end: the CLI against the simulated Kubernetes API
// server over HTTPS, from a kubeconfig, exactly as against a real cluster.
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startKubeSim, type KubeSim } from "../support/kube/index.js";
import { workspace, type Workspace } from "../support/workspace.js";
import { seedEnvironment } from "../support/deploy.js";
import { cli } from "../support/cli.js";

const SECRET_OLD = "canary-OLD-7f3a9c";
const SECRET_NEW = "canary-NEW-19be44";

let sim: KubeSim;
let kubeconfig: string;
let ws: Workspace;

function diff(...args: string[]) {
  return cli(["diff", "--env", "production", "--dir", ws.root, "--kubeconfig", kubeconfig, "--repo", "acme/shop", ...args]);
}

beforeAll(async () => {
  sim = await startKubeSim();
  kubeconfig = sim.writeKubeconfig(await mkdtemp(join(tmpdir(), "converge-kc-")));
  const seed = await workspace("shop");
  await seedEnvironment(sim.kubeconfig(), seed.root, "production", "acme/shop");
  await seed.dispose();
});

afterAll(async () => {
  await sim?.close();
});

beforeEach(async () => {
  ws = await workspace("shop");
});

afterEach(async () => {
  await ws.dispose();
});

describe("converge diff", () => {
  it("exits 0 when the cluster matches Git", async () => {
    const r = await diff();
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/production: no changes/);
  });

  it("exits 1 with exactly the Deployment when its image changes", async () => {
    await ws.edit("deploy/production/web.yaml", (t) => t.replace("web:1.4.2", "web:1.5.0"));
    const r = await diff("--output", "json");
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    expect(json.summary).toMatchObject({ create: 0, update: 1, delete: 0 });
    expect(json.changes).toHaveLength(1);
    expect(json.changes[0]).toMatchObject({ action: "update", kind: "Deployment", namespace: "shop", name: "web" });
    expect(json.changes[0].diff).toContain("-        - image: ghcr.io/acme/web:1.4.2");
    expect(json.changes[0].diff).toContain("+        - image: ghcr.io/acme/web:1.5.0");
  });

  it("shows a new object as create", async () => {
    await ws.write("deploy/production/extra.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  a: b\n");
    const r = await diff("--output", "json");
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).changes).toEqual([expect.objectContaining({ action: "create", kind: "ConfigMap", name: "extra", namespace: "shop" })]);
  });

  it("shows an object removed from Git as delete when prune is on", async () => {
    await ws.remove("deploy/production/config.yaml");
    const r = await diff("--output", "json");
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).changes).toEqual([expect.objectContaining({ action: "delete", kind: "ConfigMap", name: "web-config" })]);
  });

  it("shows no delete for a removed object when prune is off", async () => {
    await ws.edit(".github/converge.yml", (t) => t.replace("prune: true", "prune: false"));
    await ws.remove("deploy/production/config.yaml");
    const r = await diff("--output", "json");
    expect(r.code).toBe(0);
  });

  it("lists changed Secret keys and never prints a Secret value, in any format", async () => {
    await ws.edit("deploy/production/secret.yaml", (t) => t.replace(SECRET_OLD, SECRET_NEW));
    for (const output of ["text", "json", "markdown"]) {
      const r = await diff("--output", output);
      expect(r.code, output).toBe(1);
      expect(r.out, output).toContain("password");
      for (const text of [r.out, r.err]) {
        for (const secret of [SECRET_OLD, SECRET_NEW]) {
          expect(text).not.toContain(secret);
          expect(text).not.toContain(Buffer.from(secret).toString("base64"));
        }
      }
    }
    const json = JSON.parse((await diff("--output", "json")).out);
    expect(json.changes[0].secretKeys).toEqual([{ key: "password", change: "changed" }]);
  });

  it("exits 2 naming file and line for malformed YAML", async () => {
    await ws.write("deploy/production/broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n");
    const r = await diff();
    expect(r.code).toBe(2);
    expect(r.out + r.err).toMatch(/deploy\/production\/broken\.yaml:\d+/);
  });

  it("exits 2 naming the field for a typo the server's strict validation rejects", async () => {
    await ws.edit("deploy/production/web.yaml", (t) => t.replace("replicas: 2", "replica: 2"));
    const r = await diff();
    expect(r.code).toBe(2);
    expect(r.out + r.err).toContain("spec.replica");
    expect(r.out + r.err).toContain("deploy/production/web.yaml");
  });

  it("refuses a cluster the registry does not open to this repository", async () => {
    const dir = await mkdtemp(join(tmpdir(), "converge-reg-"));
    const registry = join(dir, "clusters.yaml");
    await writeFile(registry, `clusters:\n  sim:\n    kubeconfig: ${kubeconfig}\n    repositories: ["other/*"]\n`);
    const { code, out, err } = await cli(["diff", "--env", "production", "--dir", ws.root, "--repo", "acme/shop"], { CONVERGE_CLUSTERS: registry });
    expect(code).toBe(2);
    expect(out + err).toContain('cluster "sim" does not accept repository "acme/shop"');
  });

  it("runs as `converge` from the built package (bin/converge.js)", async () => {
    const run = promisify(execFile);
    const res = await run(process.execPath, ["bin/converge.js", "diff", "--env", "production", "--dir", ws.root, "--kubeconfig", kubeconfig, "--repo", "acme/shop"]).catch((e) => e);
    expect(res.code ?? 0).toBe(0);
    expect(res.stdout).toMatch(/production: no changes/);
  });
});
