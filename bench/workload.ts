// A seeded, realistic repository for benchmarks: one environment
// (deploy/bench) holding N objects — Namespaces, one CRD, and apps made of
// Deployments, Services, ConfigMaps, Secrets and Widgets (a custom kind) —
// in files of ~10 documents, the way teams keep them. Same seed, same bytes.
// mutate() then edits a fraction of the objects (images, config values),
// adds a few and removes a few, so a plan has real work to show.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { stringify } from "yaml";
import type { KubeObject } from "../src/manifests/object.js";
import { configMap, deployment, namespace, secret, service, widget, widgetCrd } from "./objects.js";
import { hex, int, mulberry32, pick, shuffle, type Random } from "./random.js";

export const ENV_PATH = "deploy/bench";
export const ENV_NAMESPACE = "bench-0";
export const ENV_NAME = "bench";
export const DOCS_PER_FILE = 10;
/** Share of the namespaced objects per kind (Deployments take the remainder). */
const MIX = { Service: 0.3, ConfigMap: 0.2, Secret: 0.15, Widget: 0.05 };

export interface Workload {
  root: string;
  size: number;
  seed: number;
  namespaces: string[];
  /** Repository-relative path -> the documents of that file, in order. */
  files: Map<string, KubeObject[]>;
  counts: Record<string, number>;
}

export interface Mutation {
  updated: number;
  added: number;
  removed: number;
  /** What a correct plan of the mutated tree reports. */
  expected: { create: number; update: number; delete: number; unchanged: number };
}

export function configYaml(): string {
  return stringify({ environments: { [ENV_NAME]: { path: ENV_PATH, cluster: "sim", namespace: ENV_NAMESPACE, prune: true } } });
}

/** Writes a fresh tree of `size` objects (Namespaces and the CRD included) to a temp dir. */
export async function generateWorkload(size: number, seed: number, root?: string): Promise<Workload> {
  const rnd = mulberry32(seed);
  const nsCount = Math.max(1, Math.ceil(size / 250));
  const namespaces = Array.from({ length: nsCount }, (_, i) => `bench-${i}`);
  const rest = Math.max(0, size - nsCount - 1);
  const n = Object.fromEntries(Object.entries(MIX).map(([k, share]) => [k, Math.round(rest * share)])) as Record<keyof typeof MIX, number>;
  const apps = Math.max(0, rest - n.Service - n.ConfigMap - n.Secret - n.Widget);

  // Which apps have a ConfigMap / Secret (and so reference it): a seeded choice, spread evenly.
  const hasConfig = new Set(shuffle(rnd, [...Array(apps).keys()]).slice(0, n.ConfigMap));
  const hasSecret = new Set(shuffle(rnd, [...Array(apps).keys()]).slice(0, n.Secret));
  const perNs = new Map(namespaces.map((ns) => [ns, [] as KubeObject[]]));
  const place = (i: number) => namespaces[i % nsCount]!;
  for (let i = 0; i < apps; i++) {
    const ns = place(i);
    const name = `app-${String(i).padStart(5, "0")}`;
    const docs = perNs.get(ns)!;
    if (hasConfig.has(i)) docs.push(configMap(rnd, `${name}-config`, ns, name));
    if (hasSecret.has(i)) docs.push(secret(rnd, `${name}-credentials`, ns, name));
    docs.push(deployment(rnd, name, ns, hasConfig.has(i), hasSecret.has(i)));
    // Services pair with apps; when rounding gives more Services than apps, the extras are headless twins.
    for (let s = i; s < n.Service; s += Math.max(1, apps)) docs.push(service(rnd, s < apps ? name : `${name}-headless-${Math.floor(s / apps)}`, ns, name, s >= apps));
  }
  // With no apps at all (tiny sizes), Services and config stand alone.
  if (!apps) for (let s = 0; s < n.Service + n.ConfigMap + n.Secret; s++) perNs.get(place(s))!.push(configMap(rnd, `standalone-${s}`, place(s), "standalone"));

  const files = new Map<string, KubeObject[]>();
  chunk(namespaces.map(namespace)).forEach((c, i) => files.set(`${ENV_PATH}/cluster/namespaces-${String(i).padStart(2, "0")}.yaml`, c));
  files.set(`${ENV_PATH}/cluster/crd-widgets.yaml`, [widgetCrd()]);
  for (const [ns, docs] of perNs) chunk(docs).forEach((c, i) => files.set(`${ENV_PATH}/${ns}/apps-${String(i).padStart(3, "0")}.yaml`, c));
  const widgets = Array.from({ length: n.Widget }, (_, i) => widget(rnd, `widget-${String(i).padStart(5, "0")}`, place(i)));
  for (const ns of namespaces) chunk(widgets.filter((w) => w.metadata.namespace === ns)).forEach((c, i) => files.set(`${ENV_PATH}/${ns}/widgets-${String(i).padStart(3, "0")}.yaml`, c));

  const dir = root ?? (await mkdtemp(join(tmpdir(), "converge-bench-")));
  const w: Workload = { root: dir, size, seed, namespaces, files, counts: countKinds(files) };
  await writeFileAt(dir, ".github/converge.yml", configYaml());
  for (const path of files.keys()) await writeTreeFile(w, path);
  return w;
}

/**
 * Changes images / config values of `fraction` of the namespaced objects, adds
 * a few ConfigMaps and removes a few objects (never one it changed), and
 * rewrites the touched files. Returns what a plan should find.
 */
export async function mutate(w: Workload, fraction = 0.02, seed = w.seed + 1): Promise<Mutation> {
  const rnd = mulberry32(seed);
  const all: Array<{ path: string; obj: KubeObject }> = [];
  for (const [path, docs] of w.files) for (const obj of docs) if (obj.metadata.namespace) all.push({ path, obj });
  shuffle(rnd, all);
  const updates = Math.min(all.length, Math.max(1, Math.round(all.length * fraction)));
  const churn = Math.min(all.length - updates, Math.max(2, Math.round(w.size / 500)));
  const touched = new Set<string>();

  for (const { path, obj } of all.slice(0, updates)) {
    change(rnd, obj);
    touched.add(path);
  }
  const gone = new Set(all.slice(updates, updates + churn).map((x) => x.obj));
  for (const { path } of all.slice(updates, updates + churn)) touched.add(path);
  for (const path of touched) w.files.set(path, w.files.get(path)!.filter((o) => !gone.has(o)));

  const added = Array.from({ length: churn }, (_, i) => configMap(rnd, `added-${seed}-${i}`, w.namespaces[i % w.namespaces.length]!, "added"));
  const addedPath = `${ENV_PATH}/${w.namespaces[0]}/added-${seed}.yaml`;
  w.files.set(addedPath, [...(w.files.get(addedPath) ?? []), ...added]);
  touched.add(addedPath);

  for (const path of touched) await writeTreeFile(w, path);
  w.counts = countKinds(w.files);
  const total = [...w.files.values()].reduce((s, d) => s + d.length, 0);
  return { updated: updates, added: churn, removed: churn, expected: { create: churn, update: updates, delete: churn, unchanged: total - churn - updates } };
}

export async function disposeWorkload(w: Workload): Promise<void> {
  await rm(w.root, { recursive: true, force: true });
}

interface Mutable {
  template: { spec: { containers: Array<{ image: string; env: Array<{ value?: string }> }> } };
  ports: Array<{ port: number }>;
  size: number;
}

function change(rnd: Random, obj: KubeObject): void {
  const spec = obj.spec as Mutable;
  switch (obj.kind) {
    case "Deployment": {
      const c = spec.template.spec.containers[0]!;
      c.image = c.image.replace(/:(\d+)\.(\d+)\.(\d+)$/, (_, a: string, b: string, p: string) => `:${a}.${b}.${Number(p) + 1}`);
      c.env[0]!.value = pick(rnd, ["debug", "warn", "error"]);
      return;
    }
    case "ConfigMap":
      (obj.data as Record<string, string>).MAX_CONNECTIONS = String(int(rnd, 1000, 9999));
      return;
    case "Secret":
      (obj.stringData as Record<string, string>).password = hex(rnd, 32);
      return;
    case "Service":
      spec.ports[0]!.port = spec.ports[0]!.port === 80 ? 8080 : 80;
      return;
    case "Widget":
      spec.size += 1;
      return;
  }
}

function chunk<T>(xs: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += DOCS_PER_FILE) out.push(xs.slice(i, i + DOCS_PER_FILE));
  return out;
}

function countKinds(files: Map<string, KubeObject[]>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const docs of files.values()) for (const o of docs) out[o.kind] = (out[o.kind] ?? 0) + 1;
  return out;
}

async function writeTreeFile(w: Workload, path: string): Promise<void> {
  const docs = w.files.get(path)!;
  if (!docs.length) {
    w.files.delete(path);
    await rm(join(w.root, path), { force: true });
    return;
  }
  await writeFileAt(w.root, path, docs.map((d) => stringify(d, { lineWidth: 0 })).join("---\n"));
}

async function writeFileAt(root: string, path: string, text: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), text);
}
