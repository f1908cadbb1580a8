// Limits a PR author must not be able to defeat, and the speed of the common
// case. Big inputs are generated at run time, never committed.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { clearParseCache, loadManifests } from "../../src/manifests/index.js";
import { fixture, ids, scratch } from "./manifests-helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function tempRepo(): Promise<string> {
  const s = await scratch();
  cleanups.push(s.cleanup);
  return s.dir;
}

function configMap(name: string): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  key: value\n`;
}

function deployment(name: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {app: ${name}, tier: web}
  annotations:
    owner: team-shop
spec:
  replicas: 3
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}, tier: web}
    spec:
      containers:
        - name: app
          image: registry.example.com/shop/${name}:1.2.3
          ports: [{containerPort: 8080, name: http}]
          env:
            - {name: LOG_LEVEL, value: info}
            - {name: REGION, value: eu-west-1}
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {memory: 256Mi}
          readinessProbe:
            httpGet: {path: /healthz, port: http}
`;
}

async function timed<T>(label: string, f: () => Promise<T>): Promise<{ value: T; ms: number; heapMiB: number }> {
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const value = await f();
  const ms = performance.now() - t0;
  const heapMiB = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
  console.log(`[manifests] ${label}: ${ms.toFixed(0)} ms, heap +${heapMiB.toFixed(1)} MiB`);
  return { value, ms, heapMiB };
}

describe("loadManifests: limits", () => {
  it("rejects an alias bomb without expanding it, and keeps ordinary anchors and merge keys", async () => {
    const { value: r, ms, heapMiB } = await timed("alias bomb", () => loadManifests({ root: fixture("alias-bomb"), path: "" }));
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ file: "billion-laughs.yaml", line: 1, reason: "ManifestInvalid" });
    expect(r.errors[0].message).toMatch(/aliases would expand beyond the limit of 100/);
    expect(ms).toBeLessThan(1000);
    expect(heapMiB).toBeLessThan(64);
    expect(ids(r)).toEqual(["ConfigMap merged"]);
    expect(r.objects[0].object.metadata.annotations).toEqual({ app: "web", team: "shop" });
  });

  it("rejects a huge file before parsing it, giving its size and the limit", async () => {
    const root = await tempRepo();
    const big = configMap("big") + `  blob: "${"x".repeat(10 * 1024 * 1024)}"\n`;
    await writeFile(path.join(root, "huge.yaml"), big);
    await writeFile(path.join(root, "small.yaml"), configMap("small"));
    const { value: r, ms } = await timed("huge file (10 MiB)", () => loadManifests({ root, path: "" }));
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].file).toBe("huge.yaml");
    expect(r.errors[0].message).toMatch(/^"huge\.yaml" is 10\.0 MiB \(\d+ bytes\), over the limit of 4\.0 MiB \(4194304 bytes\) per manifest file; not parsed$/);
    expect(ids(r)).toEqual(["ConfigMap small"]);
    expect(ms).toBeLessThan(500);
  });

  it("stops at the total size limit", async () => {
    const root = await tempRepo();
    for (const n of ["a", "b", "c"]) await writeFile(path.join(root, `${n}.yaml`), configMap(n));
    const r = await loadManifests({ root, path: "", limits: { maxTotalBytes: 150 } });
    expect(r.errors.map((e) => e.file)).toEqual(["c.yaml"]);
    expect(r.errors[0].message).toMatch(/add up to more than 150 bytes \(limit\); stopped loading at "c\.yaml"/);
    expect(r.objects).toEqual([]); // incomplete sets are never returned as if whole
  });

  it("rejects 100,000 tiny documents quickly (document limit), with bounded memory", async () => {
    const root = await tempRepo();
    const perFile = 25_000;
    for (let f = 0; f < 4; f++) {
      let text = "";
      for (let i = 0; i < perFile; i++) text += `---\n{apiVersion: v1, kind: ConfigMap, metadata: {name: c${f}-${i}}}\n`;
      await writeFile(path.join(root, `many-${f}.yaml`), text);
    }
    const { value: r, ms, heapMiB } = await timed("100,000 documents in 4 files", () => loadManifests({ root, path: "" }));
    expect(r.errors).toEqual([{ file: "many-0.yaml", reason: "ManifestInvalid", message: 'more than 20000 YAML documents in total (limit); stopped loading at "many-0.yaml"' }]);
    expect(r.objects).toEqual([]);
    expect(ms).toBeLessThan(3000);
    expect(heapMiB).toBeLessThan(200);
  });

  it("counts empty documents too", async () => {
    const root = await tempRepo();
    await writeFile(path.join(root, "empty.yaml"), "---\n".repeat(100_000));
    const { value: r, ms } = await timed("100,000 empty documents in 1 file", () => loadManifests({ root, path: "" }));
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].message).toMatch(/more than 20000 YAML documents/);
    expect(ms).toBeLessThan(2000);
  }, 30_000);

  it("stops at the file count limit", async () => {
    const root = await tempRepo();
    for (let i = 0; i < 5; i++) await writeFile(path.join(root, `f${i}.yaml`), configMap(`f${i}`));
    const r = await loadManifests({ root, path: "", limits: { maxFiles: 4 } });
    expect(r.errors).toEqual([{ file: ".", reason: "ManifestInvalid", message: "more than 4 manifest files (limit); nothing was loaded" }]);
    expect(r.objects).toEqual([]);
  });
});

describe("loadManifests: performance", () => {
  async function tree(objectText: (name: string) => string): Promise<string> {
    const root = await tempRepo();
    for (let d = 0; d < 50; d++) {
      const dir = path.join(root, "env", `team-${String(d).padStart(2, "0")}`);
      await mkdir(dir, { recursive: true });
      for (let f = 0; f < 10; f++) {
        const docs = Array.from({ length: 10 }, (_, i) => objectText(`app-${d}-${f}-${i}`));
        await writeFile(path.join(dir, `apps-${f}.yaml`), docs.join("---\n"));
      }
    }
    return root;
  }

  it("loads 5,000 small objects from 500 files (cold) well under a second", async () => {
    const root = await tree(configMap);
    await loadManifests({ root: fixture("plain-multidoc"), path: "." }); // JIT warm-up on other files
    clearParseCache();
    const { value: r, ms } = await timed("5,000 ConfigMaps in 500 files, cold", () => loadManifests({ root, path: "env", defaultNamespace: "shop" }));
    expect(r.errors).toEqual([]);
    expect(r.objects).toHaveLength(5000);
    expect(r.inputs).toHaveLength(500);
    // ~350-700 ms when run alone on a 2-vCPU machine; the slack is for the
    // other test files vitest runs in parallel on the same cores.
    expect(ms).toBeLessThan(3000);
  }, 30_000);

  it("loads 5,000 Deployments (3.6 MB) from 500 files; unchanged files are not parsed again", async () => {
    const root = await tree(deployment);
    clearParseCache();
    const cold = await timed("5,000 Deployments in 500 files, cold", () => loadManifests({ root, path: "env", defaultNamespace: "shop" }));
    expect(cold.value.objects).toHaveLength(5000);
    // yaml v2 parses ~2-3 MB/s on a small machine, so a cold load of 3.6 MB
    // takes ~2 s alone (printed above); only a pathological slowdown fails here.
    expect(cold.ms).toBeLessThan(20_000);
    const warm = await timed("5,000 Deployments in 500 files, warm", () => loadManifests({ root, path: "env", defaultNamespace: "shop" }));
    expect(warm.value.errors).toEqual([]);
    expect(warm.value.objects).toEqual(cold.value.objects);
    expect(warm.ms).toBeLessThan(1000);
  }, 60_000);

  it("hands out copies: mutating a loaded object does not leak into the next load", async () => {
    const a = await loadManifests({ root: fixture("list-kind"), path: "" });
    a.objects[0].object.metadata.name = "mutated";
    const b = await loadManifests({ root: fixture("list-kind"), path: "" });
    expect(b.objects[0].object.metadata.name).toBe("first");
  });
});
