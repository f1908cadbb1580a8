// Hostile and bad input, end to end, the way a user meets it: a corpus under
// test/fixtures/bad/<case>/ (files a pull request adds in `pr/`, default-branch
// overrides in `base/`, the expected error in `expected.json`; the big inputs
// are generated here, never committed). For every case: (a) a clear error where
// the user sees it (comment + failing preview check naming file and line, CLI,
// webhook answer), (b) bounded memory and time for the big ones, (c) the app
// still previews a normal PR in another repository afterwards, and (d) at the
// end, the Secret canary is nowhere: not in anything written to GitHub, not in
// a log line, not in CLI output.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, WEBHOOK_SECRET, type Stack } from "../support/stack.js";
import { sendWebhook, signWebhook, type TarExtra } from "../support/github/index.js";
import { startController, type Controller } from "../support/kube/controller.js";
import { shopFiles, withImage } from "../support/shop.js";
import { writeTree } from "../support/workspace.js";
import { runCli } from "../../src/cli/main.js";
import { runDriftCheck } from "../../src/agent/drift.js";
import { parentRef, parseParent } from "../../src/inventory/applyset.js";
import { parseConfig } from "../../src/config/index.js";
import type { GitHub } from "../../src/github/types.js";

const BAD = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "bad");
/** In fixture files (secret-canary, malformed-yaml, alias-bomb): a Secret value, or data next to one. */
const CANARY = "canary-HOSTILE-5e1f0c7d";
/** Put into the live Secret by a "hand edit" (drift). */
const DRIFT_CANARY = "canary-HOSTILE-drift-9a4b1e";
/** The shop fixture's own Secret value, deployed with every case repository that deploys. */
const SHOP_SECRET = "canary-OLD-7f3a9c";
const SECRETS = [CANARY, DRIFT_CANARY, SHOP_SECRET];
const MEMORY_BOUND = 200 * 1024 * 1024;
const CONTROL = "acme/control";

type Drive = "pr" | "pr-fork" | "cli" | "push" | "deploy" | "drift" | "webhook";
interface Expected {
  title: string;
  drive: Drive[];
  where: string[];
  error?: string;
  file?: string;
  line?: number;
  repo?: string;
  generator?: "ten-megabytes" | "hundred-thousand-documents";
  tarballGenerator?: "hundred-thousand-entries";
  big?: boolean;
  maxMs?: number;
  canary?: boolean;
  touch?: string;
  markdown?: boolean;
  expectSuccess?: boolean;
  alsoNamed?: string[];
  tarball?: TarExtra[];
  webhooks?: Array<{ name: string; signature?: string | null; secret?: string; tamper?: boolean; status: number[] }>;
}
interface Case {
  name: string;
  expected: Expected;
  base: Record<string, string>;
  pr: Record<string, string>;
}

function readTreeSync(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else out[relative(root, full)] = readFileSync(full, "utf8");
    }
  };
  try {
    walk(root);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  return out;
}

const CASES: Case[] = readdirSync(BAD)
  .filter((d) => statSync(join(BAD, d)).isDirectory())
  .sort()
  .map((name) => ({
    name,
    expected: JSON.parse(readFileSync(join(BAD, name, "expected.json"), "utf8")) as Expected,
    base: readTreeSync(join(BAD, name, "base")),
    pr: readTreeSync(join(BAD, name, "pr")),
  }));

/** The big inputs: generated, never committed. */
function generate(kind: Expected["generator"]): Record<string, string> {
  if (kind === "ten-megabytes") {
    const lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: huge", "data:"];
    let size = 0;
    for (let i = 0; size < 10 * 1024 * 1024; i++) {
      const line = `  key-${i}: "${"x".repeat(100)}"`;
      lines.push(line);
      size += line.length + 1;
    }
    return { "deploy/production/huge.yaml": `${lines.join("\n")}\n` };
  }
  if (kind === "hundred-thousand-documents") return { "deploy/production/many.yaml": "---\na: 1\n".repeat(100_000) };
  return {};
}

/** Extra entries for the head commit's tarball (a monorepo-sized archive). */
function generateTarball(kind: Expected["tarballGenerator"]): TarExtra[] {
  if (kind === "hundred-thousand-entries") return Array.from({ length: 100_001 }, (_, i) => ({ path: `vendor/f${i}.txt`, type: "file" as const, content: "" }));
  return [];
}

// ── what the app writes, logs and prints ───────────────────────────────
const logLines: string[] = [];
const logStream = { write: (line: string) => void logLines.push(line) };
const cliOutput: string[] = [];
const timings: string[] = [];

let stack: Stack;
let controller: Controller;
let controlFiles: Record<string, string>;
let controlSeq = 0;

beforeAll(async () => {
  stack = await startStack({ logLevel: "trace", logStream, verifyTimeoutMs: 20_000 });
  controller = startController(stack.kube, { readyAfterMs: 50 });
  for (const user of ["alice", "bob", "mallory"]) stack.gh.addUser(user);
  controlFiles = await shopFiles({ namespace: "control" });
  stack.gh.createRepo(CONTROL, { files: controlFiles });
  const main = stack.gh.ref(CONTROL, "main")!;
  await stack.deliver("push", stack.gh.events.push(CONTROL, "refs/heads/main", "0".repeat(40), main, "bob"));
  expect(stack.gh.deployments(CONTROL).flatMap((d) => d.statuses.map((s) => s.state))).toEqual(["in_progress", "success"]);
});

afterAll(async () => {
  await controller?.stop();
  await stack?.close();
  if (timings.length) console.log(`hostile input — time and memory:\n  ${timings.join("\n  ")}`);
});

// ── helpers ─────────────────────────────────────────────────────────────
/** A body as a reader sees it: entities decoded, zero-width spaces gone. */
function rendered(body: string): string {
  const named: Record<string, string> = { quot: '"', amp: "&", lt: "<", gt: ">", apos: "'" };
  return body.replace(/&(#\d+|[a-z]+);/g, (m, e: string) => (e.startsWith("#") ? String.fromCodePoint(Number(e.slice(1))) : (named[e] ?? m))).replace(/\u200B/g, "");
}

function previewComments(repo: string, n: number) {
  return stack.gh.comments(repo, n).filter((c) => c.body.includes("<!-- converge:preview"));
}

function checksOf(repo: string, sha: string) {
  const runs = stack.gh.checkRuns(repo, sha);
  const last = (name: string) => runs.filter((r) => r.name === name).at(-1);
  return { preview: last("Converge preview"), approval: last("Converge approval") };
}

/** Lines inside ``` fences removed (GitHub neither renders HTML nor links mentions there); fences must close and <details> balance. */
function outsideCode(body: string): string {
  const kept: string[] = [];
  let open: string | undefined;
  for (const line of body.split("\n")) {
    const m = /^(`{3,})/.exec(line);
    if (m && !open) {
      open = m[1];
      continue;
    }
    if (m && open && m[1] === open && line.trim() === open) {
      open = undefined;
      continue;
    }
    if (!open) kept.push(line);
  }
  expect(open, "unclosed code fence").toBeUndefined();
  const text = kept.join("\n");
  expect((text.match(/<details>/g) ?? []).length, "<details> balance").toBe((text.match(/<\/details>/g) ?? []).length);
  return text;
}

/** Markup from a manifest stays text: no raw HTML, no mention, no issue reference, no link, outside code blocks. */
function assertInert(body: string): void {
  const text = outsideCode(body);
  expect(text).not.toMatch(/<script|<img|<b>|<\/summary><\/details>/i);
  expect(text).not.toMatch(/@octocat|@acme\/admins/);
  expect(text).not.toMatch(/(^|[^&])#123\b|GH-123/);
  expect(text).not.toMatch(/\]\(https?:\/\/evil|https:\/\/evil/);
  expect((text.match(/<summary>/g) ?? []).length).toBe((text.match(/<\/summary>/g) ?? []).length);
}

interface Measured<T> {
  value: T;
  ms: number;
  rssGrowth: number;
  heapGrowth: number;
  /** Buffers (archives, file contents) live outside the JS heap. */
  buffersGrowth: number;
}

/** Runs fn while sampling memory; growth = peak (or final) minus the value before. */
async function measured<T>(label: string, fn: () => Promise<T>): Promise<Measured<T>> {
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  let peakBuffers = before.arrayBuffers;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
  };
  const timer = setInterval(sample, 5);
  const t0 = performance.now();
  try {
    const value = await fn();
    const ms = performance.now() - t0;
    sample();
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    const result = { value, ms, rssGrowth: peakRss - before.rss, heapGrowth: peakHeap - before.heapUsed, buffersGrowth: peakBuffers - before.arrayBuffers };
    timings.push(`${label}: ${ms.toFixed(0)} ms, rss +${mb(result.rssGrowth)} (peak ${mb(peakRss)}), heapUsed +${mb(result.heapGrowth)}, buffers +${mb(result.buffersGrowth)}`);
    return result;
  } finally {
    clearInterval(timer);
  }
}

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCli(args, { stdout: (t) => (out += t), stderr: (t) => (err += t), env });
  cliOutput.push(out, err);
  return { code, out, err };
}

async function installationGh(repo: string): Promise<GitHub> {
  const { ProbotOctokit } = await import("probot");
  return new ProbotOctokit({ auth: { token: stack.gh.installationToken(stack.gh.installationId(repo)) }, baseUrl: stack.gh.apiUrl, throttle: { enabled: false } }) as unknown as GitHub;
}

/** After every hostile case: a normal PR in another repository still gets its preview. */
async function controlStillServed(): Promise<void> {
  const k = ++controlSeq;
  const image = `ghcr.io/acme/web:3.0.${k}`;
  const branch = `control-${k}`;
  stack.gh.createBranch(CONTROL, branch, stack.gh.ref(CONTROL, "main")!);
  const head = stack.gh.commit(CONTROL, branch, { "deploy/production/web.yaml": withImage(controlFiles, image) }, { message: branch, author: "alice" });
  const n = stack.gh.openPull(CONTROL, { head: branch, user: "alice" });
  const answer = await stack.send("pull_request", stack.gh.events.pullRequest(CONTROL, "opened", n, "alice"));
  expect(answer.status).toBe(200);
  await stack.idle();
  const comments = previewComments(CONTROL, n);
  expect(comments).toHaveLength(1);
  expect(comments[0]!.body).toMatch(/1 to update/);
  expect(comments[0]!.body).toContain(image);
  expect(checksOf(CONTROL, head).preview?.conclusion).toBe("success");
}

interface Opened {
  repo: string;
  n: number;
  head: string;
  files: Record<string, string>;
}

/** The case's repository (shop in its own namespace, with `base/` on main) and a PR adding `pr/` (+ generated files). */
async function openCasePull(c: Case): Promise<Opened> {
  const repo = c.expected.repo ?? `acme/bad-${c.name}`;
  const base = { ...(await shopFiles({ namespace: `bad-${c.name}` })), ...c.base };
  stack.gh.createRepo(repo, { files: base });
  stack.gh.setPermission(repo, "bob", "write");
  const files: Record<string, string> = { ...c.pr, ...generate(c.expected.generator) };
  if (c.expected.touch) files[c.expected.touch] = `${base[c.expected.touch] ?? ""}# touched by the pull request\n`;
  stack.gh.createBranch(repo, "hostile", stack.gh.ref(repo, "main")!);
  const head = stack.gh.commit(repo, "hostile", files, { message: `hostile: ${c.name}`, author: "mallory" });
  for (const entry of c.expected.tarball ?? []) stack.gh.addTarballEntry(repo, head, entry);
  // (addTarballEntry copies the list per call: the generated 100,001 go in at once.)
  const generated = generateTarball(c.expected.tarballGenerator);
  if (generated.length) stack.gh.state.requireRepo(repo).tarExtras.set(head, [...(stack.gh.state.requireRepo(repo).tarExtras.get(head) ?? []), ...generated]);
  const n = stack.gh.openPull(repo, { head: "hostile", title: `hostile: ${c.name}`, user: "mallory" });
  return { repo, n, head, files };
}

/**
 * The simulated GitHub builds archives in this same process: build this one
 * once before measuring, so the memory growth measured is the app's own.
 */
async function warmArchive(o: Opened): Promise<void> {
  const token = stack.gh.installationToken(stack.gh.installationId(o.repo));
  const res = await fetch(`${stack.gh.apiUrl}/repos/${o.repo}/tarball/${o.head}`, { headers: { authorization: `token ${token}` } });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
}

/** The expected error, file and line in the PR comment and the preview check (summary + annotation). */
function assertErrorShown(c: Case, o: Opened): void {
  const e = c.expected;
  const comments = previewComments(o.repo, o.n);
  expect(comments, "one preview comment").toHaveLength(1);
  const body = rendered(comments[0]!.body);
  const { preview, approval } = checksOf(o.repo, o.head);
  expect(preview?.conclusion).toBe("failure");
  expect(approval?.conclusion).toBe("failure");
  const checkText = rendered(`${preview?.output.title}\n${preview?.output.summary}\n${preview?.output.text ?? ""}`);
  if (e.where.includes("comment")) {
    expect(body).toContain(e.error!);
    if (e.file) expect(body).toContain(e.line ? `${e.file}:${e.line}` : e.file);
    for (const also of e.alsoNamed ?? []) expect(body).toContain(also);
    outsideCode(comments[0]!.body);
  }
  if (e.where.includes("check")) {
    expect(checkText).toContain(e.error!);
    if (e.file) {
      expect(checkText).toContain(e.file);
      const annotation = preview!.annotations.find((a) => a.path === e.file && a.message.includes(e.error!));
      expect(annotation, `annotation on ${e.file}`).toBeDefined();
      if (e.line) expect(annotation!.start_line).toBe(e.line);
    }
  }
}

async function cliDiff(repo: string, root: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const kube = env.CONVERGE_CLUSTERS ? [] : ["--kubeconfig", stack.kubeconfigPath];
  return cli(["diff", "--env", "production", "--dir", root, ...kube, "--repo", repo, ...extra], env);
}

// ── the corpus ──────────────────────────────────────────────────────────
describe.each(CASES.map((c) => [c.name, c] as const))("bad input: %s", (_name, c) => {
  const e = c.expected;
  let o: Opened | undefined;

  if (e.canary) {
    it("carries the canary in its fixture (so the final scan means something)", () => {
      expect(Object.values(c.pr).join("\n")).toContain(CANARY);
    });
  }

  if (e.drive.includes("pr")) {
    it(e.expectSuccess ? "previews the PR without showing the value" : "explains the problem in the PR comment and fails the preview check, naming file and line", async () => {
      o = await openCasePull(c);
      const kubeBefore = stack.kube.requests.length;
      if (e.big) await warmArchive(o);
      const run = await measured(`${c.name} (preview)`, async () => {
        const answer = await stack.send("pull_request", stack.gh.events.pullRequest(o!.repo, "opened", o!.n, "mallory"));
        expect(answer.status).toBe(200);
        expect(answer.ms).toBeLessThan(2_000);
        await stack.idle();
      });
      if (e.big) {
        expect(run.rssGrowth).toBeLessThan(MEMORY_BOUND);
        expect(run.heapGrowth).toBeLessThan(MEMORY_BOUND);
        expect(run.buffersGrowth).toBeLessThan(MEMORY_BOUND);
      }
      if (e.maxMs) expect(run.ms).toBeLessThan(e.maxMs);
      if (e.expectSuccess) {
        const body = previewComments(o.repo, o.n)[0]!.body;
        expect(body).toContain("api-token");
        expect(body).toContain("token-b64");
        expect(checksOf(o.repo, o.head).preview?.conclusion).toBe("success");
      } else {
        assertErrorShown(c, o);
      }
      if (e.repo) expect(stack.kube.requests.length, "no request to a cluster the repository may not use").toBe(kubeBefore);
      if (e.markdown) {
        assertInert(previewComments(o.repo, o.n)[0]!.body);
        const preview = checksOf(o.repo, o.head).preview!;
        assertInert(`${preview.output.summary}\n\n${preview.output.text ?? ""}`);
        expect(rendered(previewComments(o.repo, o.n)[0]!.body)).toContain("@octocat"); // shown as text, not dropped
      }
      expect(stack.gh.unexpected).toEqual([]);
    });
  }

  if (e.drive.includes("pr-fork")) {
    it("does not download or preview a fork's head, and says why", async () => {
      o = await openCasePull(c);
      const payload = stack.gh.events.pullRequest(o.repo, "opened", o.n, "mallory") as { pull_request: { head: { label: string; repo: Record<string, unknown> } } };
      const forkRepo = payload.pull_request.head.repo;
      payload.pull_request.head.label = "mallory:hostile";
      payload.pull_request.head.repo = { ...forkRepo, id: 999_101, name: "shop", full_name: "mallory/shop", fork: true, owner: { ...(forkRepo.owner as object), login: "mallory", id: 999_102 } };
      const kubeBefore = stack.kube.requests.length;
      stack.gh.resetCalls();
      await stack.deliver("pull_request", payload);
      assertErrorShown(c, o);
      expect(stack.kube.requests.length).toBe(kubeBefore);
      expect(stack.gh.count({ path: /tarball|_codeload/ })).toBe(0);
    });
  }

  if (e.drive.includes("webhook")) {
    it("answers unsigned and wrongly signed webhooks with 4xx and does nothing", async () => {
      o = await openCasePull(c);
      const payload = stack.gh.events.pullRequest(o.repo, "opened", o.n, "mallory");
      const other = stack.gh.events.pullRequest(CONTROL, "opened", 1, "alice");
      const url = `${stack.appUrl}/api/github/webhooks`;
      stack.gh.resetCalls();
      const kubeBefore = stack.kube.requests.length;
      for (const w of e.webhooks!) {
        const signature = w.tamper ? signWebhook(WEBHOOK_SECRET, JSON.stringify(other)) : w.signature;
        const res = await sendWebhook(url, { event: "pull_request", payload, secret: w.secret ?? WEBHOOK_SECRET, ...(signature !== undefined ? { signature } : {}) });
        expect(w.status, `${w.name}: answered ${res.status} ${res.body}`).toContain(res.status);
      }
      await stack.idle();
      expect(stack.rt.queue.busy()).toEqual([]);
      expect(stack.gh.calls, "no GitHub call after a rejected webhook").toEqual([]);
      expect(stack.kube.requests.length).toBe(kubeBefore);
      expect(stack.gh.comments(o.repo, o.n)).toEqual([]);
      expect(stack.gh.checkRuns(o.repo, o.head)).toEqual([]);
    });
  }

  if (e.drive.includes("push")) {
    it("refuses to deploy on a push, with the reason on the GitHub Deployment, touching no cluster", async () => {
      expect(o).toBeDefined();
      const before = stack.gh.ref(o!.repo, "main")!;
      const sha = stack.gh.mergePull(o!.repo, o!.n, { user: "bob" });
      const kubeBefore = stack.kube.requests.length;
      await stack.deliver("push", stack.gh.events.push(o!.repo, "refs/heads/main", before, sha, "bob"));
      const deployments = stack.gh.deployments(o!.repo).filter((d) => d.sha === sha);
      expect(deployments).toHaveLength(1);
      const last = deployments[0]!.statuses.at(-1)!;
      expect(last.state).toBe("failure");
      expect(last.description).toContain(e.error!);
      expect(stack.kube.requests.length).toBe(kubeBefore);
    });
  }

  if (e.drive.includes("deploy")) {
    it("deploys the Secret on merge (push webhook)", async () => {
      expect(o).toBeDefined();
      const before = stack.gh.ref(o!.repo, "main")!;
      const sha = stack.gh.mergePull(o!.repo, o!.n, { user: "bob" });
      await stack.deliver("push", stack.gh.events.push(o!.repo, "refs/heads/main", before, sha, "bob"));
      const deployment = stack.gh.deployments(o!.repo).find((d) => d.sha === sha)!;
      expect(deployment.statuses.map((s) => s.state)).toEqual(["in_progress", "success"]);
      const live = stack.kube.get("v1", "Secret", "api-token", `bad-${c.name}`)!;
      expect(Buffer.from((live.data as Record<string, string>).token!, "base64").toString()).toBe(CANARY);
      expect(stack.gh.comments(o!.repo, o!.n).some((cm) => cm.body.includes("Deployed"))).toBe(true);
    });
  }

  if (e.drive.includes("drift")) {
    it("reports and heals a hand-edited Secret without showing either value", async () => {
      const ns = `bad-${c.name}`;
      const [owner, name] = o!.repo.split("/") as [string, string];
      const files = stack.gh.files(o!.repo, "main");
      const env = parseConfig(files[".github/converge.yml"]!).environments[0]!;
      const ref = parentRef(o!.repo, "production", ns);
      const inventory = () => parseParent(stack.kube.get("v1", "ConfigMap", ref.name, ref.namespace), ref);
      const live = stack.kube.get("v1", "Secret", "api-token", ns)!;
      stack.kube.put({ ...live, data: { ...(live.data as object), token: Buffer.from(DRIFT_CANARY).toString("base64") } });
      const gh = await installationGh(o!.repo);

      const reported = await runDriftCheck(stack.rt, { gh, repo: { owner, repo: name }, env: { ...env, drift: { interval: 60, action: "report" } }, inventory: inventory() });
      expect(reported).toMatchObject({ kind: "drifted", objects: 1 });
      const issue = [...stack.gh.state.requireRepo(o!.repo).issues.values()].find((i) => !i.pull && i.title.startsWith("Drift detected"))!;
      expect(issue.body).toContain("api-token");
      expect(issue.body).toContain("token");

      // The CLI sees the same drift (text, JSON and markdown), values masked.
      const tree = await writeTree(files);
      try {
        for (const output of ["text", "json", "markdown"]) {
          const r = await cliDiff(o!.repo, tree.root, ["--output", output]);
          expect(r.code, `${output}: ${r.err}`).toBe(1);
          expect(r.out).toContain("token");
        }
      } finally {
        await tree.dispose();
      }

      const healed = await runDriftCheck(stack.rt, { gh, repo: { owner, repo: name }, env: { ...env, drift: { interval: 60, action: "heal" } }, inventory: inventory() });
      expect(healed).toMatchObject({ kind: "drifted", objects: 1 });
      await stack.idle();
      const restored = stack.kube.get("v1", "Secret", "api-token", ns)!;
      expect(Buffer.from((restored.data as Record<string, string>).token!, "base64").toString()).toBe(CANARY);
      const correction = stack.gh.deployments(o!.repo).find((d) => (d.description ?? "").includes("Drift correction"))!;
      expect(correction.statuses.map((s) => s.state)).toEqual(["in_progress", "success"]);
      expect(JSON.stringify(correction.payload)).toContain("api-token");
    });
  }

  if (e.drive.includes("cli")) {
    it("`converge diff` exits 2 naming the problem (and file:line)", async () => {
      const repo = e.repo ?? `acme/bad-${c.name}`;
      const files = o ? stack.gh.files(repo, o.head) : { ...(await shopFiles({ namespace: `bad-${c.name}` })), ...c.base, ...c.pr, ...generate(e.generator) };
      const tree = await writeTree(files);
      try {
        let env: NodeJS.ProcessEnv = {};
        if (e.repo) {
          // The operator's registry opens the cluster to acme/* only.
          const registry = join(await mkdtemp(join(tmpdir(), "converge-reg-")), "clusters.yaml");
          await writeFile(registry, `clusters:\n  sim:\n    kubeconfig: ${stack.kubeconfigPath}\n    repositories: ["acme/*"]\n`);
          env = { CONVERGE_CLUSTERS: registry };
        }
        const kubeBefore = stack.kube.requests.length;
        const run = await measured(`${c.name} (cli diff)`, () => cliDiff(repo, tree.root, [], env));
        const r = run.value;
        if (e.big) expect(Math.max(run.rssGrowth, run.heapGrowth, run.buffersGrowth)).toBeLessThan(MEMORY_BOUND);
        if (e.maxMs) expect(run.ms).toBeLessThan(e.maxMs);
        if (e.expectSuccess) return;
        expect(r.code, r.out + r.err).toBe(2);
        expect(r.out + r.err).toContain(e.error!);
        if (e.file) expect(r.out + r.err).toContain(e.line ? `${e.file}:${e.line}` : e.file);
        for (const also of e.alsoNamed ?? []) expect(r.out + r.err).toContain(also);
        if (e.repo) {
          // Nothing reaches the cluster: the registry refuses the repository first.
          const sent = stack.kube.requests.slice(kubeBefore).map((q) => `${q.method} ${q.path}`);
          expect(sent).toEqual([]);
        }
        if (e.markdown) {
          const md = await cliDiff(repo, tree.root, ["--output", "markdown"]);
          assertInert(md.out);
        }
      } finally {
        await tree.dispose();
      }
    });
  }

  it("keeps serving: a normal PR in another repository still gets its preview", async () => {
    await controlStillServed();
    expect(stack.gh.unexpected).toEqual([]);
  });
});

// ── the canary, everywhere ──────────────────────────────────────────────
describe("secrets after all of the above", () => {
  const forms = SECRETS.flatMap((s) => [s, Buffer.from(s).toString("base64"), Buffer.from(s).toString("base64").replace(/=+$/, "")]);
  /** The lines that contain a secret (short, so a failure says where, not everything). */
  const leaks = (text: string) => text.split("\n").filter((l) => forms.some((f) => l.includes(f))).map((l) => l.slice(0, 400));

  it("are in no comment, check run, issue, PR body, deployment payload or status, or commit message", () => {
    const everything = stack.gh.allText();
    expect(everything).toContain("api-token"); // the Secret was shown, by name
    expect(everything).toContain("Drift correction"); // and the deploy and drift records are in the scan
    expect(leaks(everything)).toEqual([]);
  });

  it("are in no log line", () => {
    const logs = logLines.join("");
    expect(logLines.length).toBeGreaterThan(50);
    for (const msg of ["preview computed", "deployed", "drift detected", "signature does not match"]) expect(logs).toContain(msg);
    expect(leaks(logs)).toEqual([]);
  });

  it("are in no CLI output", () => {
    const out = cliOutput.join("\n");
    expect(out).toContain("token");
    expect(leaks(out)).toEqual([]);
  });
});
