// Suite "scale": one installation with 100 repositories × 3 environments
// (dev, staging, prod; each its own namespace, 4 small objects), all deployed,
// then one simulated hour of the timers at their defaults: the reconcile walk
// every 300 s (12 walks) and drift checks every 600 s (±10 % jitter, action
// report). The walk is the product's own (agent/reconcile.ts startReconciler
// with agent/drift.ts driftVisitor) driven with a fake clock: each walk is
// called directly and the clock moves 5 minutes between walks, so dueness is
// decided by the code, not by the benchmark. During the hour a few
// environments drift (edited or deleted by hand, one fixed again later) and a
// few repositories get new commits without a webhook (the walk deploys them).
// Reported: GitHub calls per hour (all, and counted against the
// installation's 5,000/h), Kubernetes requests per minute for the cluster,
// and the wall time of a walk.
//
// Flags: --repos 100, --envs 3, --walks 12, --throttle default (add ",off" for
// both), --gh-latency MS.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { stringify } from "yaml";
import { driftVisitor } from "../src/agent/drift.js";
import { startReconciler } from "../src/agent/reconcile.js";
import { mapBounded } from "../src/util/pool.js";
import { baseInput, describeRoutes, mergeChange, r0, r1, runAppCase, summarizeCalls, throttleLabel, throttlesOf, type AppCaseInput, type CallSummary } from "./app-bench.js";
import { startAppStack } from "./app-stack.js";
import type { BenchOptions, Cell, Suite, SuiteResult } from "./types.js";
import { describeCounts, sortCounts } from "./verbs.js";

export interface ScaleInput extends AppCaseInput {
  repos: number;
  envs: number;
  walks: number;
}

export interface WalkFigures {
  walk: number;
  minute: number;
  events: string[];
  walkMs: number;
  /** Walk start → the app's queue idle (drift checks, deploys, recoveries the walk queued). */
  idleMs: number;
  gh: CallSummary;
  kubeRequests: number;
  kubeByVerb: Record<string, number>;
  kubeByResource: Record<string, number>;
  /** Jobs queued during the walk, by label ("drift-check", "reconcile", "recover"). */
  jobs: Record<string, number>;
  deploys: Record<string, number>;
  drift: Record<string, number>;
  stats: { repositories: number; environments: number; deploysQueued: number; errors: number };
  appCpuMs: number;
  kubeCpuMs: number;
}

export interface ScaleCase {
  throttle: ScaleInput["throttle"];
  repos: number;
  envs: number;
  objects: number;
  seedMs: number;
  walks: WalkFigures[];
  openDriftIssues: number;
}

const ENV_NAMES = ["dev", "staging", "prod", "qa", "perf", "canary"];
const pad = (i: number) => String(i).padStart(3, "0");

function envFiles(repo: string, env: string, image: string, logLevel = "info"): string {
  const ns = `${repo}-${env}`;
  const labels = { "app.kubernetes.io/name": "web" };
  const docs = [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "web-config", namespace: ns }, data: { LOG_LEVEL: logLevel, REGION: "eu-west-1" } },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: ns, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: "web", image, ports: [{ name: "http", containerPort: 8080 }], envFrom: [{ configMapRef: { name: "web-config" } }], resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } } }] },
        },
      },
    },
    { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: ns, labels }, spec: { selector: labels, ports: [{ name: "http", port: 80, targetPort: "http" }] } },
  ];
  return docs.map((d) => stringify(d)).join("---\n");
}

function repoFiles(name: string, envs: string[]): Record<string, string> {
  const config = { environments: Object.fromEntries(envs.map((e) => [e, { path: `deploy/${e}`, cluster: "sim", namespace: `${name}-${e}` }])) };
  const files: Record<string, string> = { ".github/converge.yml": stringify(config), "README.md": `# ${name}\n` };
  for (const e of envs) files[`deploy/${e}/app.yaml`] = envFiles(name, e, `registry.example.com/acme/${name}:1.0.0`);
  return files;
}

async function writeCheckout(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "converge-bench-scale-"));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

/** What happens before walk i (0-based): hand edits (drift), fixes, new commits without a webhook. */
interface Happening {
  walk: number;
  what: string;
  run: (ctx: { edit: (repo: string, env: string, e: { kind: string; apiVersion: string; name: string; set?: Record<string, unknown>; remove?: boolean }) => Promise<void>; commit: (repo: string, env: string, image: string) => void }) => Promise<void>;
}

function happenings(repos: number, envs: string[]): Happening[] {
  const r = (i: number) => `app-${pad(i % repos)}`;
  const e = (i: number) => envs[i % envs.length]!;
  const cm = { kind: "ConfigMap", apiVersion: "v1", name: "web-config" };
  return [
    { walk: 1, what: `${r(3)}/${e(2)}: ConfigMap edited by hand`, run: (c) => c.edit(r(3), e(2), { ...cm, set: { "data.LOG_LEVEL": "debug" } }) },
    { walk: 1, what: `${r(10)}/${e(1)}: Deployment scaled by hand`, run: (c) => c.edit(r(10), e(1), { kind: "Deployment", apiVersion: "apps/v1", name: "web", set: { "spec.replicas": 3 } }) },
    { walk: 1, what: `${r(20)}/${e(0)}: Service deleted by hand`, run: (c) => c.edit(r(20), e(0), { kind: "Service", apiVersion: "v1", name: "web", remove: true }) },
    { walk: 2, what: `${r(30)}/${e(2)}: ConfigMap edited by hand`, run: (c) => c.edit(r(30), e(2), { ...cm, set: { "data.REGION": "us-east-1" } }) },
    { walk: 3, what: `${r(50)}, ${r(60)}: new commit to ${e(1)} (no webhook)`, run: async (c) => (c.commit(r(50), e(1), "1.1.0"), c.commit(r(60), e(1), "1.1.0")) },
    { walk: 7, what: `${r(3)}/${e(2)}: hand edit undone`, run: (c) => c.edit(r(3), e(2), { ...cm, set: { "data.LOG_LEVEL": "info" } }) },
    { walk: 9, what: `${r(70)}: new commit to ${e(2)} (no webhook)`, run: async (c) => c.commit(r(70), e(2), "2.0.0") },
  ];
}

export async function runCase(input: ScaleInput): Promise<ScaleCase> {
  const log = (m: string) => process.stderr.write(`[bench] scale throttle=${input.throttle}: ${m}\n`);
  // A huge bucket: the hour is counted, not cut off at 5,000 (which would change what the app does).
  const stack = await startAppStack({ throttle: input.throttle, kubeLatencyMs: input.latencyMs, githubLatencyMs: input.githubLatencyMs, githubRateLimit: 1_000_000_000, scenario: { readyAfterMs: 200 } });
  const envs = ENV_NAMES.slice(0, input.envs);
  const roots: string[] = [];
  try {
    const { gh, kube, rt, app } = stack;
    const names = Array.from({ length: input.repos }, (_, i) => `app-${pad(i)}`);
    const files = new Map(names.map((n) => [n, repoFiles(n, envs)]));
    for (const n of names) gh.createRepo(`acme/${n}`, { files: files.get(n)! });
    for (const u of ["alice", "bob"]) gh.addUser(u);
    // Deployed once: plan, apply, verify, record, in the cluster's process (no GitHub Deployment records).
    const t0 = performance.now();
    const targets = names.flatMap((n) => envs.map((e) => ({ n, e })));
    const checkouts = new Map<string, string>();
    for (const n of names) {
      const root = await writeCheckout(files.get(n)!);
      roots.push(root);
      checkouts.set(n, root);
    }
    await mapBounded(targets, 16, async ({ n, e }) => {
      const r = await kube.deploy({ root: checkouts.get(n)!, environment: e, repository: `acme/${n}`, revision: gh.ref(`acme/${n}`, "main")! });
      if (!r.ok) throw new Error(`seeding acme/${n}/${e} failed: ${r.message}`);
    });
    const seedMs = performance.now() - t0;
    const objects = await kube.objects();
    log(`${targets.length} environments deployed in ${r1(seedMs / 1000)} s (${objects} objects in the cluster, pods and events included)`);

    // Instrumentation from outside: which jobs the walk queues (by label), and the domain events.
    const jobs: Record<string, number> = {};
    const submit = rt.queue.submit.bind(rt.queue);
    rt.queue.submit = (key, label, job) => {
      const k = label.split("@")[0]!;
      jobs[k] = (jobs[k] ?? 0) + 1;
      return submit(key, label, job);
    };
    const deploys: Record<string, number> = {};
    const drift: Record<string, number> = {};
    rt.events.on("deploy", (d) => (deploys[`${d.result}`] = (deploys[`${d.result}`] ?? 0) + 1));
    rt.events.on("drift", (d) => (drift[d.action] = (drift[d.action] ?? 0) + 1));

    let clock = Date.now();
    const walker = startReconciler(app, rt, 0, driftVisitor(rt, () => clock));
    const plan = happenings(input.repos, envs);
    const ctx = {
      edit: (repo: string, env: string, e: { kind: string; apiVersion: string; name: string; set?: Record<string, unknown>; remove?: boolean }) => kube.edit({ ...e, namespace: `${repo}-${env}` }),
      commit: (repo: string, env: string, version: string) => {
        const full = `acme/${repo}`;
        mergeChange(gh, full, `release-${env}-${version}`, { [`deploy/${env}/app.yaml`]: envFiles(repo, env, `registry.example.com/acme/${repo}:${version}`) }, `Release ${version} to ${env}`);
      },
    };
    const walks: WalkFigures[] = [];
    for (let w = 0; w < input.walks; w++) {
      const events = plan.filter((h) => h.walk === w);
      for (const h of events) await h.run(ctx);
      const deploying = events.some((h) => h.what.includes("commit"));
      if (deploying) await kube.arm(); // controllers for the rollouts (kube-child.ts)
      gh.resetCalls();
      await kube.reset();
      for (const o of [jobs, deploys, drift]) for (const k of Object.keys(o)) delete o[k];
      const kubeCpu0 = (await kube.stats()).cpuMs;
      const cpu0 = process.cpuUsage();
      const start = performance.now();
      const stats = await walker.runOnce();
      const walkMs = performance.now() - start;
      // Drift checks wait (200 ms polls) for a deploy of their environment before queueing: idle twice.
      do await stack.idle();
      while (await new Promise<boolean>((r) => setTimeout(() => r(rt.queue.busy().length > 0), 400)));
      const idleMs = performance.now() - start;
      const cpu = process.cpuUsage(cpu0);
      if (deploying) await kube.pause();
      const k = await kube.stats();
      const f: WalkFigures = {
        walk: w + 1,
        minute: w * 5,
        events: events.map((h) => h.what),
        walkMs,
        idleMs,
        gh: summarizeCalls(gh.calls),
        kubeRequests: k.requests,
        kubeByVerb: k.byVerb,
        kubeByResource: k.byResource,
        jobs: sortCounts({ ...jobs }),
        deploys: { ...deploys },
        drift: { ...drift },
        stats,
        appCpuMs: (cpu.user + cpu.system) / 1000,
        kubeCpuMs: k.cpuMs - kubeCpu0,
      };
      walks.push(f);
      log(`walk ${w + 1} (minute ${f.minute}): ${r0(walkMs)} ms walk, ${r0(idleMs)} ms to idle; GitHub ${f.gh.total} calls (${f.gh.counted} counted, ${f.gh.notModified} 304); k8s ${k.requests}; jobs ${JSON.stringify(f.jobs)}${events.length ? `; ${events.map((h) => h.what).join("; ")}` : ""}`);
      clock += 300_000;
    }
    walker.stop();
    const openDriftIssues = [...gh.state.repos.values()].flatMap((r) => [...r.issues.values()]).filter((i) => !i.pull && i.state === "open" && i.labels.includes("converge:drift")).length;
    return { throttle: input.throttle, repos: input.repos, envs: input.envs, objects, seedMs, walks, openDriftIssues };
  } finally {
    await stack.close();
    await Promise.all(roots.map((r) => rm(r, { recursive: true, force: true })));
  }
}

const COLUMNS = ["throttle", "walk", "minute", "walk ms", "→ idle ms", "GitHub calls", "counted", "304", "drift checks", "deploys", "k8s requests", "k8s/min"];

async function run(opts: BenchOptions): Promise<SuiteResult> {
  const num = (name: string, fallback: number) => (typeof opts.flags[name] === "string" ? Number(opts.flags[name]) : fallback);
  const input = { repos: num("repos", 100), envs: Math.min(ENV_NAMES.length, num("envs", 3)), walks: num("walks", 12) };
  const throttles = throttlesOf(opts, ["default"]);
  const cases: ScaleCase[] = [];
  for (const throttle of throttles) cases.push(await runAppCase<ScaleInput, ScaleCase>(opts, { ...baseInput("scale", opts, throttle), ...input }));
  const rows: Cell[][] = [];
  const notes: string[] = [];
  const hourOf = (ws: WalkFigures[]) => ({
    total: ws.reduce((a, w) => a + w.gh.total, 0),
    counted: ws.reduce((a, w) => a + w.gh.counted, 0),
    notModified: ws.reduce((a, w) => a + w.gh.notModified, 0),
    kube: ws.reduce((a, w) => a + w.kubeRequests, 0),
    drift: ws.reduce((a, w) => a + (w.jobs["drift-check"] ?? 0), 0),
    deploys: ws.reduce((a, w) => a + (w.jobs.reconcile ?? 0), 0),
  });
  for (const c of cases) {
    const t = throttleLabel(c.throttle);
    for (const w of c.walks) rows.push([t, w.walk, w.minute, r0(w.walkMs), r0(w.idleMs), w.gh.total, w.gh.counted, w.gh.notModified, w.jobs["drift-check"] ?? 0, w.jobs.reconcile ?? 0, w.kubeRequests, r0(w.kubeRequests / 5)]);
    const h = hourOf(c.walks);
    rows.push([t, "hour", `0-${c.walks.length * 5}`, r0(c.walks.reduce((a, w) => a + w.walkMs, 0)), r0(c.walks.reduce((a, w) => a + w.idleMs, 0)), h.total, h.counted, h.notModified, h.drift, h.deploys, h.kube, r0(h.kube / (c.walks.length * 5))]);
    const steady = c.walks.slice(1);
    const hs = hourOf(steady);
    const perHour = (x: number) => r0((x * 12) / Math.max(1, steady.length));
    const envCount = c.repos * c.envs;
    notes.push(
      `${t}: ${c.repos} repositories × ${c.envs} environments = ${envCount} (${c.objects} objects in the cluster), deployed in ${r1(c.seedMs / 1000)} s before the hour. ` +
        `Hour (walk 1 = a process start: no ETags, first visits): GitHub ${h.total.toLocaleString("en-US")} calls, ${h.counted.toLocaleString("en-US")} counted = ${r0((h.counted / 5000) * 100)} % of 5,000/h; ` +
        `steady state (walks 2-${c.walks.length}, scaled to 12 walks): ${perHour(hs.total).toLocaleString("en-US")} calls, ${perHour(hs.counted).toLocaleString("en-US")} counted/h (${r0((perHour(hs.counted) / 5000) * 100)} %), ${perHour(hs.notModified).toLocaleString("en-US")} 304s; ` +
        `k8s ${r0(h.kube / (c.walks.length * 5)).toLocaleString("en-US")} requests/min for the one cluster over the hour (${r0(perHour(hs.kube) / 60)} /min steady), ${r1(h.kube / envCount / c.walks.length)} per environment per walk.`,
    );
    const routes: Record<string, number> = {};
    const nm: Record<string, number> = {};
    for (const w of c.walks) {
      for (const [k, v] of Object.entries(w.gh.byRoute)) routes[k] = (routes[k] ?? 0) + v;
      for (const [k, v] of Object.entries(w.gh.notModifiedByRoute)) nm[k] = (nm[k] ?? 0) + v;
    }
    notes.push(`${t}: counted GitHub calls in the hour by route: ${describeRoutes(sortCounts(routes), 14)}; 304 (free): ${describeRoutes(sortCounts(nm))}; app/token calls: ${describeRoutes(c.walks.reduce<Record<string, number>>((a, w) => { for (const [k, v] of Object.entries(w.gh.app)) a[k] = (a[k] ?? 0) + v; return a; }, {}))}.`);
    const byRes: Record<string, number> = {};
    for (const w of c.walks) for (const [k, v] of Object.entries(w.kubeByResource)) byRes[k] = (byRes[k] ?? 0) + v;
    notes.push(`${t}: k8s requests in the hour by verb and resource: ${describeCounts(Object.fromEntries(Object.entries(sortCounts(byRes)).slice(0, 14)))}.`);
    const w2 = c.walks[1];
    if (w2) notes.push(`${t}: a walk without drift checks due (walk ${w2.walk}): ${r0(w2.walkMs)} ms, ${w2.gh.total} GitHub calls (${w2.gh.notModified} of them 304), ${w2.kubeRequests} k8s requests; CPU app ${r0(w2.appCpuMs)} ms, cluster ${r0(w2.kubeCpuMs)} ms. Sequential calls: at a real GitHub's ~100 ms per call a walk takes about ${r1((w2.gh.total * 0.1))} s.`);
    notes.push(`${t}: what happened: ${c.walks.filter((w) => w.events.length).map((w) => `walk ${w.walk}: ${w.events.join("; ")} → deploys ${JSON.stringify(w.deploys)}, drift ${JSON.stringify(w.drift)}`).join(" | ")}; drift events over the hour: ${JSON.stringify(c.walks.reduce<Record<string, number>>((a, w) => { for (const [k, v] of Object.entries(w.drift)) a[k] = (a[k] ?? 0) + v; return a; }, {}))}; open drift issues at the end: ${c.openDriftIssues}.`);
  }
  notes.push(
    `The product's reconcile walk and drift visitor (startReconciler + driftVisitor with a fake clock, +300 s per walk; drift due every 600 s ±10 %), ${input.walks} walks = one hour at the default interval; ` +
      `each walk is followed by waiting for the work it queued (→ idle). GitHub's bucket is not enforced here (counted, then compared with 5,000). k8s/min = requests of the walk and its work / 5 simulated minutes; k8s latency ${opts.latencyMs} ms.`,
  );
  return {
    title: `scale: ${input.repos} repositories × ${input.envs} environments, one simulated hour of reconcile (300 s) and drift checks (600 s, report)`,
    columns: COLUMNS,
    rows,
    notes,
    json: { settings: { ...input, throttles }, cases },
  };
}

export const suite: Suite = {
  name: "scale",
  description: "100 repositories × 3 environments: one simulated hour of reconcile walks and drift checks (GitHub calls/h, k8s requests/min)",
  run,
};
