// Suite "revert": a merge ships an image that cannot be pulled; the app
// deploys it, verification sees ImagePullBackOff (the simulated kubelet
// reports it), the Deployment goes to failure and a revert PR is opened. Then
// the revert PR is merged and its push deploys the previous image again.
// Per round: seconds from the push to the failure status, to the revert PR
// existing, and from the revert's push to healthy again.
//
// Flags: --sizes 100 (objects in the environment), --throttle default,off,
// --gh-latency MS.
import type { CallRecord } from "../test/support/github/index.js";
import { baseInput, caseProcess, describeRoutes, editDeployments, finalDeploymentState, mergeChange, pushPayload, r1, r2, runAppCase, setupBenchRepo, settle, summarizeCalls, throttleLabel, throttlesOf, waitFor, type AppCaseInput, type BenchRepo, type CallSummary } from "./app-bench.js";
import { startAppStack } from "./app-stack.js";
import { median } from "./measure.js";
import { mulberry32 } from "./random.js";
import type { BenchOptions, Cell, Suite, SuiteResult } from "./types.js";
import { disposeWorkload } from "./workload.js";

export interface RevertInput extends AppCaseInput {
  n: number;
}

export interface RevertRound {
  round: number;
  /** Push of the broken merge → failure status written. */
  failureMs: number;
  /** → the revert PR created (POST /pulls received). */
  revertPrMs: number;
  /** → the app's queue idle. */
  doneMs: number;
  /** Push of the merged revert → success status written. */
  rollbackMs: number;
  reason: string;
  revertTitle: string;
  /** GitHub calls from the broken push until idle. */
  gh: CallSummary;
}

export interface RevertCase {
  n: number;
  throttle: RevertInput["throttle"];
  rounds: RevertRound[];
}

const STATUS_ROUTE = "POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses";

export async function runCase(input: RevertInput): Promise<RevertCase> {
  const log = (m: string) => process.stderr.write(`[bench] revert N=${input.n} throttle=${input.throttle}: ${m}\n`);
  const stack = await startAppStack({ throttle: input.throttle, kubeLatencyMs: input.latencyMs, githubLatencyMs: input.githubLatencyMs, scenario: { readyAfterMs: 200, images: [{ match: ":broken", behaviour: "imagepullbackoff" }] } });
  const rnd = mulberry32(input.seed + 13);
  let b: BenchRepo | undefined;
  try {
    b = await setupBenchRepo(stack, input.n, input.seed);
    const br = b;
    const { gh, kube } = stack;
    const rounds: RevertRound[] = [];
    const statusAt = (since: number, state: string) => gh.calls.find((c: CallRecord) => c.at >= since && c.route === STATUS_ROUTE && (c.body as { state?: string })?.state === state)?.at;
    for (let round = 0; round < input.runs; round++) {
      const before = structuredClone(br.w.files);
      const m = mergeChange(gh, br.repo, `broken-${round}`, editDeployments(br.w, rnd, 1, `registry.example.com/bench/shop:broken-${round}`), `Ship broken image ${round + 1}`);
      br.w.files = before; // the revert restores it
      gh.resetCalls();
      await kube.arm();
      await settle(input.throttle);
      const t0 = Date.now();
      const answer = await stack.send("push", pushPayload(gh, br.repo, m));
      if (answer.status !== 200) throw new Error(`push webhook answered ${answer.status}`);
      const branch = `converge/revert-${m.sha.slice(0, 7)}`;
      const pr = await waitFor("the revert PR", () => [...gh.state.requireRepo(br.repo).issues.values()].find((i) => i.pull?.headRef === branch), 300_000);
      await stack.idle();
      const doneMs = Date.now() - t0;
      const state = finalDeploymentState(gh, br.repo, m.sha);
      if (state !== "failure") throw new Error(`the broken deploy ended ${state}`);
      const failureAt = statusAt(t0, "failure")!;
      const prAt = gh.calls.find((c) => c.at >= t0 && c.route === "POST /repos/{owner}/{repo}/pulls")!.at;
      const reason = gh.deployments(br.repo).find((d) => d.sha === m.sha)!.statuses.at(-1)!.description;
      const calls = summarizeCalls(gh.calls);

      // Roll back: a person merges the revert PR; its push deploys the previous image.
      const mainBefore = gh.ref(br.repo, "main")!;
      const revertSha = gh.mergePull(br.repo, pr.number, { user: "bob" });
      await kube.arm();
      await settle(input.throttle);
      const t1 = Date.now();
      await stack.send("push", pushPayload(gh, br.repo, { before: mainBefore, sha: revertSha }));
      const rolled = await waitFor("the revert's deploy", () => finalDeploymentState(gh, br.repo, revertSha), 300_000);
      await stack.idle();
      await kube.pause();
      if (rolled !== "success") throw new Error(`the revert's deploy ended ${rolled}`);
      const r: RevertRound = { round, failureMs: failureAt - t0, revertPrMs: prAt - t0, doneMs, rollbackMs: statusAt(t1, "success")! - t1, reason, revertTitle: pr.title, gh: calls };
      rounds.push(r);
      log(`round ${round + 1}: failure ${r.failureMs} ms, revert PR ${r.revertPrMs} ms, rolled back in ${r.rollbackMs} ms (${reason})`);
    }
    return { n: input.n, throttle: input.throttle, rounds };
  } finally {
    await stack.close();
    if (b) await disposeWorkload(b.w);
  }
}

const COLUMNS = ["N", "throttle", "push → failure s", "push → revert PR s", "first round s", "push → done s", "revert merged → healthy s", "GitHub calls", "counted"];

async function run(opts: BenchOptions): Promise<SuiteResult> {
  const sizes = opts.sizes ?? [100];
  const throttles = throttlesOf(opts);
  const cases: RevertCase[] = [];
  for (const n of sizes) for (const throttle of throttles) cases.push(await runAppCase<RevertInput, RevertCase>(opts, { ...baseInput("revert", opts, throttle), n }));
  const s = (ms: number) => r2(ms / 1000);
  const rows: Cell[][] = cases.map((c) => {
    const warm = c.rounds.length > 1 ? c.rounds.slice(1) : c.rounds;
    const m = (f: (r: RevertRound) => number) => s(median(warm.map(f)));
    const t = warm[0]!;
    return [c.n, throttleLabel(c.throttle), m((r) => r.failureMs), m((r) => r.revertPrMs), s(c.rounds[0]!.revertPrMs), m((r) => r.doneMs), m((r) => r.rollbackMs), t.gh.total, t.gh.counted];
  });
  const notes: string[] = [];
  for (const c of cases) {
    notes.push(`N=${c.n} ${throttleLabel(c.throttle)}: rounds (failure / revert PR / rolled back, s) ${c.rounds.map((r) => `${r1(r.failureMs / 1000)}/${r1(r.revertPrMs / 1000)}/${r1(r.rollbackMs / 1000)}`).join(", ")}.`);
  }
  const first = cases[0]?.rounds[1] ?? cases[0]?.rounds[0];
  if (first) {
    notes.push(`failure status: "${first.reason}"; revert PR "${first.revertTitle}".`);
    notes.push(`GitHub calls from the broken push to idle (deploy + failure report + revert PR): counted ${describeRoutes(first.gh.byRoute, 30)}; 304 ${describeRoutes(first.gh.notModifiedByRoute)}; archive downloads ${first.gh.archives}.`);
  }
  notes.push(
    `${caseProcess(opts)}; ${opts.runs} rounds per case (break one Deployment's image, wait for the revert PR, merge it, wait for healthy), medians over all but the first; k8s latency ${opts.latencyMs} ms; ` +
      `the simulated kubelet reports ImagePullBackOff for images containing ":broken"; the controllers start at verification (kube-child.ts); verification polls at the product's default (500 ms, ×1.5, up to 2 s).`,
  );
  return {
    title: `revert: broken image merged → failure status → revert PR, and back, seed ${opts.seed}, k8s latency ${opts.latencyMs} ms`,
    columns: COLUMNS,
    rows,
    notes,
    json: { settings: { sizes, throttles }, cases },
  };
}

export const suite: Suite = {
  name: "revert",
  description: "broken image merged → failure status → revert PR (and the revert's deploy back to healthy): seconds",
  run,
};
