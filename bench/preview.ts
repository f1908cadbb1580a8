// Suite "preview": a full PR preview through the real app — signed webhook →
// Probot → plan against the cluster → sticky comment and check runs — in a
// repository of N objects where the PR touches a few files. Per preview: the
// webhook's HTTP answer time, the time from sending the webhook to the final
// comment being written, GitHub calls (all, and those the installation's
// rate limit counts), Kubernetes requests. `opened` (a new PR) and
// `synchronize` (a push to it) take slightly different paths.
//
// Flags: --sizes 100,1000, --throttle default,off, --files 3 (files the PR
// touches), --gh-latency MS (simulated GitHub's latency, default 0),
// --isolate=false.
import { COMMENT_MARKER } from "../src/report/markdown.js";
import type { CallRecord } from "../test/support/github/index.js";
import { baseInput, caseProcess, describeRoutes, editDeployments, r0, runAppCase, setupBenchRepo, settle, summarizeCalls, throttleLabel, throttlesOf, waitFor, type AppCaseInput, type BenchRepo, type CallSummary } from "./app-bench.js";
import { startAppStack } from "./app-stack.js";
import { median } from "./measure.js";
import { mulberry32 } from "./random.js";
import type { BenchOptions, Cell, Suite, SuiteResult } from "./types.js";
import { describeCounts } from "./verbs.js";
import { disposeWorkload } from "./workload.js";

export interface PreviewInput extends AppCaseInput {
  n: number;
  files: number;
}

export interface PreviewRun {
  event: "opened" | "synchronize";
  run: number;
  answerMs: number;
  /** Webhook sent → the simulated GitHub received the write of the final comment. */
  commentMs: number;
  /** Webhook sent → the app's queue idle (approval check written too). */
  doneMs: number;
  gh: CallSummary;
  /** The installation bucket's used count before/after: must equal gh.counted. */
  bucketDelta: number;
  kubeRequests: number;
  kubeByVerb: Record<string, number>;
  /** The plan's summary line as the comment shows it. */
  summary: string;
  /** CPU of the case process (app + simulated GitHub) and of the cluster's process during the preview. */
  appCpuMs: number;
  kubeCpuMs: number;
}

export interface PreviewCase {
  n: number;
  throttle: PreviewInput["throttle"];
  seedMs: number;
  runs: PreviewRun[];
}

const COMMENT_WRITES = new Set(["PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", "POST /repos/{owner}/{repo}/issues/{issue_number}/comments"]);

export async function runCase(input: PreviewInput): Promise<PreviewCase> {
  const log = (m: string) => process.stderr.write(`[bench] preview N=${input.n} throttle=${input.throttle}: ${m}\n`);
  const stack = await startAppStack({ throttle: input.throttle, kubeLatencyMs: input.latencyMs, githubLatencyMs: input.githubLatencyMs });
  const rnd = mulberry32(input.seed + 7);
  let b: BenchRepo | undefined;
  try {
    b = await setupBenchRepo(stack, input.n, input.seed);
    const br = b;
    log(`seeded ${input.n} objects in ${(br.seedMs / 1000).toFixed(1)} s`);
    const runs: PreviewRun[] = [];
    const { gh, kube } = stack;
    // Nothing rolls out during a preview: the simulated controllers would only eat the cluster process's CPU (kube-child.ts).
    await kube.pause();
    const measureOne = async (event: PreviewRun["event"], run: number, n: number, head: string): Promise<PreviewRun> => {
      await settle(input.throttle);
      gh.resetCalls();
      await kube.reset();
      const used0 = gh.rateLimit(gh.installationId(br.repo)).used;
      const short = head.slice(0, 7);
      const isFinal = (body: string) => body.startsWith(COMMENT_MARKER) && body.includes(short) && !body.includes("⏳");
      const cpu0 = process.cpuUsage();
      const kubeCpu0 = (await kube.stats()).cpuMs;
      const t0 = Date.now();
      const answer = await stack.send("pull_request", gh.events.pullRequest(br.repo, event, n, "alice"));
      if (answer.status !== 200) throw new Error(`webhook answered ${answer.status}`);
      const final = await waitFor("the final preview comment", () => gh.comments(br.repo, n).find((c) => isFinal(c.body)));
      const writeAt = gh.calls.find((c: CallRecord) => c.at >= t0 && COMMENT_WRITES.has(c.route ?? "") && isFinal(String((c.body as { body?: string })?.body ?? "")))?.at ?? Date.now();
      await stack.idle();
      const doneMs = Date.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const k = await kube.stats();
      const calls = summarizeCalls(gh.calls);
      const summary = /\d+ to (create|update|delete)[^\n]*/.exec(final.body)?.[0] ?? final.body.split("\n").slice(2, 4).join(" ").slice(0, 120);
      const r: PreviewRun = { event, run, answerMs: answer.ms, commentMs: writeAt - t0, doneMs, gh: calls, bucketDelta: gh.rateLimit(gh.installationId(br.repo)).used - used0, kubeRequests: k.requests, kubeByVerb: k.byVerb, summary, appCpuMs: (cpu.user + cpu.system) / 1000, kubeCpuMs: k.cpuMs - kubeCpu0 };
      log(`${event} #${run + 1}: answer ${r0(r.answerMs)} ms, comment ${r.commentMs} ms, ${calls.total} GitHub calls (${calls.counted} counted), ${k.requests} k8s requests`);
      return r;
    };
    // Every PR starts from main: edits of one PR must not leak into the next.
    const pristine = structuredClone(br.w.files);
    for (let run = 0; run < input.runs; run++) {
      br.w.files = structuredClone(pristine);
      // A PR touching `files` files of the tree (one Deployment's image each)…
      const branch = `change-${run}`;
      gh.createBranch(br.repo, branch, br.main);
      const head = gh.commit(br.repo, branch, editDeployments(br.w, rnd, input.files), { message: `bump ${input.files} images`, author: "alice" });
      const n = gh.openPull(br.repo, { head: branch, title: `Bump ${input.files} images (${run + 1})`, user: "alice" });
      runs.push(await measureOne("opened", run, n, head));
      // …then a push to it touching one more file.
      const next = gh.commit(br.repo, branch, editDeployments(br.w, rnd, 1), { message: "bump one more", author: "alice" });
      runs.push(await measureOne("synchronize", run, n, next));
    }
    return { n: input.n, throttle: input.throttle, seedMs: br.seedMs, runs };
  } finally {
    await stack.close();
    if (b) await disposeWorkload(b.w);
  }
}

const COLUMNS = ["N", "throttle", "event", "answer ms", "→ comment ms", "cold ms", "→ done ms", "GitHub calls", "counted", "k8s requests"];

async function run(opts: BenchOptions): Promise<SuiteResult> {
  const sizes = opts.sizes ?? [100, 1_000];
  const throttles = throttlesOf(opts);
  const files = typeof opts.flags.files === "string" ? Number(opts.flags.files) : 3;
  if (!(Number.isInteger(files) && files >= 1)) throw new Error("--files needs a positive integer");
  const cases: PreviewCase[] = [];
  for (const n of sizes) for (const throttle of throttles) cases.push(await runAppCase<PreviewInput, PreviewCase>(opts, { ...baseInput("preview", opts, throttle), n, files }));

  const rows: Cell[][] = [];
  const notes: string[] = [];
  for (const c of cases) {
    for (const event of ["opened", "synchronize"] as const) {
      const rs = c.runs.filter((r) => r.event === event);
      const warm = rs.length > 1 ? rs.slice(1) : rs;
      const typical = warm[0]!;
      const m = (f: (r: PreviewRun) => number) => r0(median(warm.map(f)));
      rows.push([c.n, throttleLabel(c.throttle), event, m((r) => r.answerMs), m((r) => r.commentMs), r0(rs[0]!.commentMs), m((r) => r.doneMs), typical.gh.total, typical.gh.counted, typical.kubeRequests]);
    }
  }
  notes.push(...callNotes(cases), ...growthNotes(cases), ...throttleNotes(cases));
  const bad = cases.flatMap((c) => c.runs.filter((r) => r.bucketDelta !== r.gh.counted).map((r) => `N=${c.n} ${c.throttle} ${r.event} #${r.run + 1}: bucket ${r.bucketDelta} vs counted ${r.gh.counted}`));
  notes.push(bad.length ? `COUNT MISMATCH with the sim's rate-limit bucket: ${bad.join("; ")}` : "counted = the simulated installation bucket's own increase for every run (they agree).");
  notes.push(
    `${caseProcess(opts)}: the app and the simulated GitHub in it, the simulated cluster (${opts.latencyMs} ms per request) and its controllers in a child process; ` +
      `${opts.runs} PRs per case, each previewed on opened and after one more push (synchronize); with the default throttle each webhook is sent 3.1 s after the previous write, so a preview does not queue behind the last one's writes; medians over the warm runs (all but the first PR); cold = the first PR of the process (token, bot login, no ETag, empty parse cache, new TLS connections); ` +
      `GitHub calls/counted/k8s of a warm run (the second PR). → comment = webhook sent until the simulated GitHub received the final comment's write (its call log; the bench polls the sim every 10 ms to know when to stop); → done = until the app's queue is idle (approval check written).`,
  );
  return {
    title: `preview: PR preview through the app (webhook → comment), ${files} files changed, seed ${opts.seed}, k8s latency ${opts.latencyMs} ms, GitHub latency ${baseInput("preview", opts, "off").githubLatencyMs} ms`,
    columns: COLUMNS,
    rows,
    notes,
    json: { settings: { sizes, throttles, files }, cases },
  };
}

function callNotes(cases: PreviewCase[]): string[] {
  const out: string[] = [];
  const c = [...cases].sort((a, b) => b.n - a.n || a.throttle.localeCompare(b.throttle))[0];
  if (!c) return out;
  for (const event of ["opened", "synchronize"] as const) {
    const rs = c.runs.filter((r) => r.event === event);
    const warm = rs[1] ?? rs[0]!;
    out.push(`${event}, warm (N=${c.n}): counted ${describeRoutes(warm.gh.byRoute)}; not counted: 304 ${describeRoutes(warm.gh.notModifiedByRoute)}; app/token ${describeRoutes(warm.gh.app)}; archive downloads ${warm.gh.archives}; plan: ${warm.summary}.`);
  }
  const cold = c.runs[0]!;
  out.push(`cold opened (first PR of the process): ${cold.gh.total} calls, counted ${cold.gh.counted}: ${describeRoutes(cold.gh.byRoute)}; app/token calls (not counted, once per process or token hour): ${describeRoutes(cold.gh.app)}.`);
  const w = c.runs[2] ?? c.runs[0]!;
  out.push(`a warm opened preview at N=${c.n}: k8s ${describeCounts(w.kubeByVerb)}; CPU ${r0(w.appCpuMs)} ms in the app's process (with the simulated GitHub), ${r0(w.kubeCpuMs)} ms in the cluster's.`);
  return out;
}

/** All runs but the first PR's (cold), when there is more than one PR. */
function warmRuns(c: PreviewCase): PreviewRun[] {
  return c.runs.some((r) => r.run > 0) ? c.runs.filter((r) => r.run > 0) : c.runs;
}

function growthNotes(cases: PreviewCase[]): string[] {
  const sizes = [...new Set(cases.map((c) => c.n))].sort((a, b) => a - b);
  if (sizes.length < 2) return [];
  const [lo, hi] = [sizes[0]!, sizes[sizes.length - 1]!];
  const out: string[] = [];
  for (const t of new Set(cases.map((c) => c.throttle))) {
    const a = cases.find((c) => c.n === lo && c.throttle === t);
    const z = cases.find((c) => c.n === hi && c.throttle === t);
    if (!a || !z) continue;
    const calls = (c: PreviewCase) => warmRuns(c).map((r) => r.gh.counted);
    const kube = (c: PreviewCase) => median(warmRuns(c).filter((r) => r.event === "opened").map((r) => r.kubeRequests));
    out.push(`growth ${lo.toLocaleString("en-US")} -> ${hi.toLocaleString("en-US")} objects (throttle ${throttleLabel(t)}): counted GitHub calls ${Math.min(...calls(a))}-${Math.max(...calls(a))} -> ${Math.min(...calls(z))}-${Math.max(...calls(z))} (flat), k8s requests x${(kube(z) / kube(a)).toFixed(2)}, → comment x${(median(warmRuns(z).map((r) => r.commentMs)) / median(warmRuns(a).map((r) => r.commentMs))).toFixed(2)}.`);
  }
  return out;
}

function throttleNotes(cases: PreviewCase[]): string[] {
  const out: string[] = [];
  for (const n of new Set(cases.map((c) => c.n))) {
    const d = cases.find((c) => c.n === n && c.throttle === "default");
    const o = cases.find((c) => c.n === n && c.throttle === "off");
    if (!d || !o) continue;
    const m = (c: PreviewCase) => median(warmRuns(c).map((r) => r.commentMs));
    out.push(`N=${n}: Probot's default throttle adds ${r0(m(d) - m(o))} ms to → comment (median ${r0(m(d))} vs ${r0(m(o))} ms): it spaces writes ≥1 s apart process-wide, and the final comment is the third write of a preview (pending comment, preview check, comment update; then the approval check).`);
  }
  return out;
}

export const suite: Suite = {
  name: "preview",
  description: "PR preview through the app (webhook → comment) at 100 and 1,000 objects: GitHub calls, k8s requests, latency",
  run,
};

