// The "chaos" repository for fault tests: ~30 objects (a Namespace, apps as
// Deployment + Service, ConfigMaps, Secrets, a ServiceAccount) generated from
// a small state that a seeded PRNG mutates — new image tags, new config
// values, objects added and removed.
import type { KubeObject } from "../../src/manifests/object.js";
import type { Rng } from "./random.js";

export const CHAOS_NS = "chaos";

export interface ChaosState {
  apps: Array<{ name: string; tag: number }>;
  configs: Array<{ name: string; value: number }>;
  next: number; // for new names
}

export function initialChaos(): ChaosState {
  return {
    apps: Array.from({ length: 8 }, (_, i) => ({ name: `app-${i}`, tag: 0 })),
    configs: Array.from({ length: 10 }, (_, i) => ({ name: `config-${i}`, value: 0 })),
    next: 100,
  };
}

/** One merge's worth of change: always something for the environment, sometimes objects added or removed. */
export function mutateChaos(s: ChaosState, rng: Rng): ChaosState {
  const apps = s.apps.map((a) => ({ ...a }));
  const configs = s.configs.map((c) => ({ ...c }));
  let next = s.next;
  for (let i = rng.int(1, 3); i > 0; i--) rng.pick(apps).tag++;
  for (let i = rng.int(1, 3); i > 0; i--) rng.pick(configs).value++;
  if (rng.chance(0.3)) configs.push({ name: `config-${next++}`, value: 0 });
  if (rng.chance(0.3) && configs.length > 6) configs.splice(rng.int(0, configs.length - 1), 1);
  if (rng.chance(0.15)) apps.push({ name: `app-${next++}`, tag: 0 });
  if (rng.chance(0.15) && apps.length > 5) apps.splice(rng.int(0, apps.length - 1), 1);
  return { apps, configs, next };
}

/** The objects Git holds for this state (namespaced ones in CHAOS_NS). */
export function chaosObjects(s: ChaosState): KubeObject[] {
  const ns = CHAOS_NS;
  const out: KubeObject[] = [{ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }];
  for (const a of s.apps) {
    const labels = { app: a.name };
    out.push({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: a.name, namespace: ns, labels },
      spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: "main", image: `ghcr.io/acme/${a.name}:1.0.${a.tag}`, ports: [{ containerPort: 8080 }] }] } } },
    });
    out.push({ apiVersion: "v1", kind: "Service", metadata: { name: a.name, namespace: ns }, spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] } });
  }
  for (const c of s.configs) out.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: c.name, namespace: ns }, data: { VALUE: String(c.value) } });
  out.push({ apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: ns }, type: "Opaque", stringData: { password: "chaos-canary-1" } });
  out.push({ apiVersion: "v1", kind: "Secret", metadata: { name: "api", namespace: ns }, type: "Opaque", stringData: { token: "chaos-canary-2" } });
  out.push({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "runner", namespace: ns } });
  return out;
}

/** The repository files for this state: one file per object (JSON is YAML), plus the config. */
export function chaosFiles(s: ChaosState, config: string[] = []): Record<string, string> {
  const files: Record<string, string> = {
    ".github/converge.yml": [
      "environments:",
      "  production:",
      "    path: deploy/production",
      "    cluster: sim",
      "    branch: main",
      `    namespace: ${CHAOS_NS}`,
      "    prune: true",
      "    drift: { interval: 600, action: off }",
      ...config,
      "",
    ].join("\n"),
  };
  for (const o of chaosObjects(s)) {
    const { namespace: _ns, ...metadata } = o.metadata; // Git leaves the namespace to the environment's default
    files[`deploy/production/${o.kind.toLowerCase()}-${o.metadata.name}.yaml`] = `${JSON.stringify({ ...o, metadata }, null, 2)}\n`;
  }
  return files;
}

/** Files to commit to move from `from` to `to` (null deletes a file). */
export function chaosChange(from: ChaosState, to: ChaosState): Record<string, string | null> {
  const before = chaosFiles(from);
  const after = chaosFiles(to);
  const out: Record<string, string | null> = {};
  for (const [p, text] of Object.entries(after)) if (before[p] !== text) out[p] = text;
  for (const p of Object.keys(before)) if (!(p in after)) out[p] = null;
  return out;
}
