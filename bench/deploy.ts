// Suite "deploy": merging is deploying, through the real app. A PR touching a
// few Deployments is merged; the push webhook starts the deploy job (lease →
// decide → tarball → plan → GitHub Deployment in_progress → apply → verify →
// record → Deployment success → comment on the merged PR), while the
// simulated controllers roll the changed Deployments out (pods Ready after
// ~200 ms). Per deploy: wall time from the push webhook to the Deployment's
// success status, Kubernetes requests by verb, GitHub calls.
//
// Flags: --sizes 100,1000, --throttle default,off, --files 3, --gh-latency MS,
// --poll MS (verification's first poll interval; default: the product's 500 ms).
import type { CallRecord } from "../test/support/github/index.js";
import { baseInput, caseProcess, describeRoutes, editDeployments, finalDeploymentState, mergeChange, pushPayload, r0, runAppCase, setupBenchRepo, settle, summarizeCalls, throttleLabel, throttlesOf, waitFor, type AppCaseInput, type BenchRepo, type CallSummary } from "./app-bench.js";
import { startAppStack } from "./app-stack.js";
import { median } from "./measure.js";
import { mulberry32 } from "./random.js";
import type { BenchOptions, Cell, Suite, SuiteResult } from "./types.js";
import { describeCounts } from "./verbs.js";
import { disposeWorkload } from "./workload.js";

export interface DeployInput extends AppCaseInput {
  n: number;
  files: number;
  pollMs?: number;
}

export interface DeployRunFigures {
  run: number;
  answerMs: number;
  /** Push webhook sent → Deployment status in_progress written (config, lease, decide, tarball, plan). */
  inProgressMs: number;
  /** → Deployment status success written (apply, verify, record). */
  successMs: number;
  /** → the app's queue idle (PR comment, obsolete-revert check). */
  doneMs: number;
  state: string;
  gh: CallSummary;
  kubeRequests: number;
  kubeByVerb: Record<string, number>;
  kubeByResource: Record<string, number>;
  /** CPU of the case process (app + simulated GitHub) and of the cluster's process (API server + controllers) during the run. */
  appCpuMs: number;
  kubeCpuMs: number;
}

export interface DeployCase {
  n: number;
  throttle: DeployInput["throttle"];
  seedMs: number;
  runs: DeployRunFigures[];
}

const STATUS_ROUTE = "POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses";

export async function runCase(input: DeployInput): Promise<DeployCase> {
  const log = (m: string) => process.stderr.write(`[bench] deploy N=${input.n} throttle=${input.throttle}: ${m}\n`);
  const stack = await startAppStack({ throttle: input.throttle, kubeLatencyMs: input.latencyMs, githubLatencyMs: input.githubLatencyMs, pollMs: input.pollMs, scenario: { readyAfterMs: 200 } });
  const rnd = mulberry32(input.seed + 11);
  let b: BenchRepo | undefined;
  try {
    b = await setupBenchRepo(stack, input.n, input.seed);
    const br = b;
    log(`seeded ${input.n} objects in ${(br.seedMs / 1000).toFixed(1)} s`);
    const { gh, kube } = stack;
    const runs: DeployRunFigures[] = [];
    for (let run = 0; run < input.runs; run++) {
      const m = mergeChange(gh, br.repo, `release-${run}`, editDeployments(br.w, rnd, input.files), `Release ${run + 1}: bump ${input.files} images`);
      gh.resetCalls();
      await kube.reset();
      // The controllers start when verification does (kube-child.ts).
      await kube.arm();
      await settle(input.throttle);
      const cpu0 = process.cpuUsage();
      const kubeCpu0 = (await kube.stats()).cpuMs;
      const t0 = Date.now();
      const statusAt = (s: string) => gh.calls.find((c: CallRecord) => c.at >= t0 && c.route === STATUS_ROUTE && (c.body as { state?: string })?.state === s)?.at;
      const answer = await stack.send("push", pushPayload(gh, br.repo, m));
      if (answer.status !== 200) throw new Error(`push webhook answered ${answer.status}`);
      const state = await waitFor(`the Deployment of ${m.sha.slice(0, 7)}`, () => finalDeploymentState(gh, br.repo, m.sha), 300_000);
      await stack.idle();
      const doneMs = Date.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      await kube.pause();
      const k = await kube.stats();
      const f: DeployRunFigures = {
        run,
        answerMs: answer.ms,
        inProgressMs: (statusAt("in_progress") ?? NaN) - t0,
        successMs: (statusAt(state) ?? NaN) - t0,
        doneMs,
        state,
        gh: summarizeCalls(gh.calls),
        kubeRequests: k.requests,
        kubeByVerb: k.byVerb,
        kubeByResource: k.byResource,
        appCpuMs: (cpu.user + cpu.system) / 1000,
        kubeCpuMs: k.cpuMs - kubeCpu0,
      };
      if (state !== "success") throw new Error(`deploy ${run + 1} ended ${state}: ${gh.deployments(br.repo).find((d) => d.sha === m.sha)?.statuses.at(-1)?.description}`);
      runs.push(f);
      log(`run ${run + 1}: in_progress ${f.inProgressMs} ms, success ${f.successMs} ms, done ${doneMs} ms, ${k.requests} k8s requests, ${f.gh.total} GitHub calls (${f.gh.counted} counted)`);
    }
    return { n: input.n, throttle: input.throttle, seedMs: br.seedMs, runs };
  } finally {
    await stack.close();
    if (b) await disposeWorkload(b.w);
  }
}

const COLUMNS = ["N", "throttle", "answer ms", "push → success ms", "first ms", "→ in_progress ms", "push → done ms", "k8s requests", "apply", "dry-run", "list", "GitHub calls", "counted"];

async function run(opts: BenchOptions): Promise<SuiteResult> {
  const sizes = opts.sizes ?? [100, 1_000];
  const throttles = throttlesOf(opts);
  const files = typeof opts.flags.files === "string" ? Number(opts.flags.files) : 3;
  const pollMs = typeof opts.flags.poll === "string" ? Number(opts.flags.poll) : undefined;
  const cases: DeployCase[] = [];
  for (const n of sizes) for (const throttle of throttles) cases.push(await runAppCase<DeployInput, DeployCase>(opts, { ...baseInput("deploy", opts, throttle), n, files, pollMs }));

  const rows: Cell[][] = cases.map((c) => {
    const warm = c.runs.length > 1 ? c.runs.slice(1) : c.runs;
    const m = (f: (r: DeployRunFigures) => number) => r0(median(warm.map(f)));
    const t = warm[0]!;
    return [c.n, throttleLabel(c.throttle), m((r) => r.answerMs), m((r) => r.successMs), r0(c.runs[0]!.successMs), m((r) => r.inProgressMs), m((r) => r.doneMs), t.kubeRequests, t.kubeByVerb.apply ?? 0, t.kubeByVerb["apply (dry-run)"] ?? 0, t.kubeByVerb.list ?? 0, t.gh.total, t.gh.counted];
  });
  const notes: string[] = [];
  for (const c of cases) {
    const t = (c.runs[1] ?? c.runs[0])!;
    notes.push(`N=${c.n} ${throttleLabel(c.throttle)}: runs ${c.runs.map((r) => `${r.inProgressMs}+${r.successMs - r.inProgressMs}`).join(", ")} ms (push → in_progress + in_progress → success); CPU app ${r0(t.appCpuMs)} ms, cluster ${r0(t.kubeCpuMs)} ms; k8s ${describeCounts(t.kubeByVerb)}; seed ${(c.seedMs / 1000).toFixed(1)} s.`);
  }
  // markInterrupted (engine/deploy.ts) lists Deployments only when the lease was "taken over" from a holder that never released it.
  const takenOver = cases.flatMap((c) => c.runs.filter((r) => r.gh.byRoute["GET /repos/{owner}/{repo}/deployments"]).map((r) => `N=${c.n} ${throttleLabel(c.throttle)} run ${r.run + 1}`));
  if (takenOver.length) notes.push(`lease found still held by this replica (its previous release lost a race with a renewal: 409, swallowed), so the deploy ran markInterrupted (GET deployments + statuses) in: ${takenOver.join(", ")}.`);
  const big = [...cases].sort((a, b) => b.n - a.n)[0];
  if (big) {
    const t = (big.runs[1] ?? big.runs[0])!;
    notes.push(`k8s requests by resource (N=${big.n}, one deploy): ${describeCounts(Object.fromEntries(Object.entries(t.kubeByResource).slice(0, 14)))}.`);
    notes.push(`GitHub calls of one deploy (N=${big.n}): counted ${describeRoutes(t.gh.byRoute)}; 304 ${describeRoutes(t.gh.notModifiedByRoute)}; app/token ${describeRoutes(t.gh.app)}; archive downloads ${t.gh.archives}.`);
  }
  notes.push(
    `${caseProcess(opts)} (app + simulated GitHub; the simulated cluster, ${opts.latencyMs} ms per request, and its controllers in a child process). ${opts.runs} merges per case, each bumping ${files} Deployment images on top of the last; ` +
      `medians over all but the first merge (first = cold: token, TLS, parse cache); verification polls at the product's default (first after ${pollMs ?? 500} ms, then ×1.5 up to 2 s); pods become Ready ~200 ms after creation; the simulated controllers (in the cluster's process) start at verification's first pod LIST: they poll every object every 25 ms — a whole CPU at N=1,000, which a real cluster spends in kube-controller-manager — and would react to each of the apply's writes, so the rollout starts when verification does (at most one extra verification round: pessimistic). ` +
      `Times from the simulated GitHub's call log (when it received the status write).`,
  );
  return {
    title: `deploy: merge → apply → verify healthy through the app, ${files} Deployments changed, seed ${opts.seed}, k8s latency ${opts.latencyMs} ms`,
    columns: COLUMNS,
    rows,
    notes,
    json: { settings: { sizes, throttles, files, pollMs }, cases },
  };
}

export const suite: Suite = {
  name: "deploy",
  description: "merge → apply → verify healthy through the app at 100 and 1,000 objects: wall time, k8s requests by verb, GitHub calls",
  run,
};
