// Suite "burst": 500 webhook deliveries across 20 open PRs — pushes to the PRs
// (pull_request.synchronize), labels, reviews and issue comments (chat,
// `/converge preview`, `/converge help`), ~20 % of them redeliveries of an
// earlier delivery id — sent as fast as a bounded pool of clients can. Every
// delivery must be answered well within GitHub's 10 s, and processed once:
// side effects are counted (previews per head, one sticky comment per PR, one
// help answer per help command).
//
// Flags: --deliveries 500, --prs 20, --dup 0.2, --concurrency 16, --sizes 100
// (objects in the environment each preview plans), --throttle default,off,
// --drain-cap 90 (seconds to wait for the queued work before giving up;
// Probot's default throttle writes at most once a second, so a burst can owe
// minutes of writes), --gh-latency MS.
import type { GitHubSim } from "../test/support/github/index.js";
import { labelPull } from "../test/support/stack.js";
import { COMMENT_MARKER } from "../src/report/markdown.js";
import { HELP } from "../src/handlers/comment.js";
import { baseInput, caseProcess, describeRoutes, editDeployments, percentile, r0, r1, runAppCase, setupBenchRepo, summarizeCalls, throttleLabel, throttlesOf, within, type AppCaseInput, type BenchRepo, type CallSummary } from "./app-bench.js";
import { startAppStack } from "./app-stack.js";
import { mulberry32, pick, type Random } from "./random.js";
import type { BenchOptions, Cell, Suite, SuiteResult } from "./types.js";
import { disposeWorkload } from "./workload.js";

export interface BurstInput extends AppCaseInput {
  n: number;
  deliveries: number;
  prs: number;
  dup: number;
  concurrency: number;
  drainCapS: number;
}

type Kind = "synchronize" | "labeled" | "review" | "comment (chat)" | "comment /converge preview" | "comment /converge help";

interface Delivery {
  id: string;
  event: string;
  kind: Kind;
  pr: number;
  payload: unknown;
  duplicate: boolean;
}

export interface BurstCase {
  n: number;
  throttle: BurstInput["throttle"];
  deliveries: number;
  unique: number;
  byKind: Record<string, number>;
  answers: { p50: number; p99: number; max: number; byKind: Record<string, { n: number; p50: number; p99: number; max: number }> };
  non2xx: number;
  sendMs: number;
  drained: boolean;
  drainMs: number;
  /** When not drained: jobs still running or waiting at the cap. */
  pendingKeys: number;
  webhookOutcomes: Record<string, number>;
  expectedDuplicates: number;
  previews: { total: number; heads: number; maxPerHead: number; headsWithSeveral: number; severalExplained: number; headsPushed: number; finalHeadsPreviewed: number };
  approvalChecks: number;
  previewCommentsPerPr: { min: number; max: number };
  helpAnswers: number;
  helpCommands: number;
  gh: CallSummary;
  ghWritesPerSecond: number;
  kubeRequests: number;
}

const REVIEW_STATES = ["APPROVED", "APPROVED", "APPROVED", "COMMENTED", "COMMENTED", "CHANGES_REQUESTED"] as const;
const CHAT = ["Looks good to me.", "Can we double-check the resource limits?", "Thanks!", "I'll take a look after lunch.", "Is this safe to roll out on a Friday?"];

export async function runCase(input: BurstInput): Promise<BurstCase> {
  const log = (m: string) => process.stderr.write(`[bench] burst throttle=${input.throttle}: ${m}\n`);
  const stack = await startAppStack({ throttle: input.throttle, kubeLatencyMs: input.latencyMs, githubLatencyMs: input.githubLatencyMs });
  const rnd = mulberry32(input.seed + 17);
  let b: BenchRepo | undefined;
  let drained = false;
  try {
    b = await setupBenchRepo(stack, input.n, input.seed);
    const br = b;
    const { gh, kube, rt } = stack;
    const list = buildDeliveries(stack.gh, br, rnd, input);
    const unique = list.filter((d) => !d.duplicate).length;
    log(`${list.length} deliveries (${unique} unique) across ${input.prs} PRs`);

    const outcomes: Record<string, number> = {};
    rt.events.on("webhook", (e) => (outcomes[e.outcome] = (outcomes[e.outcome] ?? 0) + 1));
    gh.resetCalls();
    await kube.reset();
    const answers: Array<{ kind: Kind; ms: number; status: number }> = [];
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: input.concurrency }, async () => {
        while (next < list.length) {
          const d = list[next++]!;
          const res = await stack.send(d.event, d.payload, d.id).catch(() => ({ status: 0, ms: NaN }));
          answers.push({ kind: d.kind, ms: res.ms, status: res.status });
        }
      }),
    );
    const sendMs = performance.now() - t0;
    log(`sent in ${r0(sendMs)} ms; answers p99 ${r0(percentile(answers.map((a) => a.ms), 99))} ms, max ${r0(Math.max(...answers.map((a) => a.ms)))} ms; draining (cap ${input.drainCapS} s)`);
    drained = await within(stack.idle(), input.drainCapS * 1000);
    const drainMs = performance.now() - t0 - sendMs;
    const pendingKeys = rt.queue.busy().length;
    log(drained ? `drained in ${r0(drainMs)} ms` : `NOT drained after ${input.drainCapS} s: ${pendingKeys} keys busy`);

    // Side effects.
    const checks = gh.checkRuns(br.repo);
    const previewsPerHead = new Map<string, number>();
    for (const c of checks.filter((c) => c.name === "Converge preview")) previewsPerHead.set(c.headSha, (previewsPerHead.get(c.headSha) ?? 0) + 1);
    const heads = new Map<string, number>(); // head sha -> PR
    for (const d of list) if (d.kind === "synchronize") heads.set((d.payload as { pull_request: { head: { sha: string } } }).pull_request.head.sha, d.pr);
    const previewCommands = new Set(list.filter((d) => d.kind === "comment /converge preview").map((d) => d.pr));
    const several = [...previewsPerHead].filter(([, k]) => k > 1);
    const prHead = (n: number) => gh.pull(br.repo, n).head.sha as string;
    const prNumbers = [...new Set(list.map((d) => d.pr))];
    const sticky = prNumbers.map((n) => gh.comments(br.repo, n).filter((c) => c.body.startsWith(COMMENT_MARKER)).length);
    const helpAnswers = [...gh.state.comments.values()].filter((c) => c.viaApp && c.body.startsWith(HELP.slice(0, 40))).length;
    const helpCommands = list.filter((d) => d.kind === "comment /converge help" && !d.duplicate).length;
    const calls = summarizeCalls(gh.calls);
    const writeTimes = gh.calls.filter((c) => c.method !== "GET" && c.installationId !== undefined).map((c) => c.at);
    const writeSpan = writeTimes.length > 1 ? (Math.max(...writeTimes) - Math.min(...writeTimes)) / 1000 : NaN;
    const k = await kube.stats();
    const ms = answers.map((a) => a.ms);
    const byKind: BurstCase["answers"]["byKind"] = {};
    for (const kind of new Set(answers.map((a) => a.kind))) {
      const xs = answers.filter((a) => a.kind === kind).map((a) => a.ms);
      byKind[kind] = { n: xs.length, p50: r0(percentile(xs, 50)), p99: r0(percentile(xs, 99)), max: r0(Math.max(...xs)) };
    }
    const kinds: Record<string, number> = {};
    for (const d of list) kinds[d.kind] = (kinds[d.kind] ?? 0) + 1;
    return {
      n: input.n,
      throttle: input.throttle,
      deliveries: list.length,
      unique,
      byKind: kinds,
      answers: { p50: r0(percentile(ms, 50)), p99: r0(percentile(ms, 99)), max: r0(Math.max(...ms)), byKind },
      non2xx: answers.filter((a) => a.status < 200 || a.status >= 300).length,
      sendMs,
      drained,
      drainMs,
      pendingKeys,
      webhookOutcomes: outcomes,
      // Redeliveries of events that reach the delivery log (chat comments are dropped before it).
      expectedDuplicates: list.filter((d) => d.duplicate && d.kind !== "comment (chat)").length,
      previews: {
        total: [...previewsPerHead.values()].reduce((a, x) => a + x, 0),
        heads: previewsPerHead.size,
        maxPerHead: Math.max(0, ...previewsPerHead.values()),
        headsWithSeveral: several.length,
        severalExplained: several.filter(([sha]) => previewCommands.has(heads.get(sha) ?? -1)).length,
        headsPushed: heads.size,
        finalHeadsPreviewed: prNumbers.filter((n) => previewsPerHead.has(prHead(n))).length,
      },
      approvalChecks: checks.filter((c) => c.name === "Converge approval").length,
      previewCommentsPerPr: { min: Math.min(...sticky), max: Math.max(...sticky) },
      helpAnswers,
      helpCommands,
      gh: calls,
      ghWritesPerSecond: writeTimes.length / writeSpan,
      kubeRequests: k.requests,
    };
  } finally {
    // Not drained (the default throttle's write queue): leave it; the case process exits after replying.
    if (drained || input.throttle === "off") await stack.close();
    if (b) await disposeWorkload(b.w);
  }
}

/** The burst: seeded, built from the sim's state as it moves (each push is a real commit). */
function buildDeliveries(gh: GitHubSim, br: BenchRepo, rnd: Random, input: BurstInput): Delivery[] {
  const pristine = structuredClone(br.w.files);
  const prs: Array<{ n: number; branch: string; files: typeof pristine }> = [];
  for (let i = 0; i < input.prs; i++) {
    const branch = `burst-${i}`;
    const files = structuredClone(pristine);
    gh.createBranch(br.repo, branch, br.main);
    gh.commit(br.repo, branch, editDeployments({ ...br.w, files }, rnd, 1), { message: `change ${i}`, author: "alice" });
    prs.push({ n: gh.openPull(br.repo, { head: branch, title: `Change ${i}`, user: "alice" }), branch, files });
  }
  const uniqueCount = Math.round(input.deliveries * (1 - input.dup));
  const out: Delivery[] = [];
  for (let k = 0; k < uniqueCount; k++) {
    const p = pick(rnd, prs);
    const x = rnd();
    const id = `burst-${k}`;
    if (x < 0.35) {
      gh.commit(br.repo, p.branch, editDeployments({ ...br.w, files: p.files }, rnd, 1), { message: `push ${k}`, author: "alice" });
      out.push({ id, event: "pull_request", kind: "synchronize", pr: p.n, payload: gh.events.pullRequest(br.repo, "synchronize", p.n, "alice"), duplicate: false });
    } else if (x < 0.5) {
      out.push({ id, event: "pull_request", kind: "labeled", pr: p.n, payload: labelPull(gh, br.repo, p.n, `label-${k}`, "bob"), duplicate: false });
    } else if (x < 0.75) {
      const review = gh.review(br.repo, p.n, { user: pick(rnd, ["bob", "carol"]), state: pick(rnd, REVIEW_STATES) });
      out.push({ id, event: "pull_request_review", kind: "review", pr: p.n, payload: gh.events.review(br.repo, "submitted", review), duplicate: false });
    } else {
      const y = rnd();
      const [kind, body]: [Kind, string] = y < 0.7 ? ["comment (chat)", pick(rnd, CHAT)] : y < 0.9 ? ["comment /converge preview", "/converge preview"] : ["comment /converge help", "/converge help"];
      const comment = gh.addComment(br.repo, p.n, { user: "bob", body });
      out.push({ id, event: "issue_comment", kind, pr: p.n, payload: gh.events.issueComment(br.repo, "created", comment), duplicate: false });
    }
  }
  // Redeliveries: the same id and payload again, somewhere after the original.
  for (let d = uniqueCount; d < input.deliveries; d++) {
    const i = Math.floor(rnd() * out.length);
    const at = i + 1 + Math.floor(rnd() * (out.length - i));
    out.splice(at, 0, { ...out[i]!, duplicate: true });
  }
  return out;
}

const COLUMNS = ["throttle", "deliveries", "answer p50 ms", "p99 ms", "max ms", "non-2xx", "sent in s", "drained in s", "previews", "heads previewed", "max/head", "comments/PR", "GitHub calls", "counted"];

async function run(opts: BenchOptions): Promise<SuiteResult> {
  const num = (name: string, fallback: number) => (typeof opts.flags[name] === "string" ? Number(opts.flags[name]) : fallback);
  const n = opts.sizes?.[0] ?? 100;
  const throttles = throttlesOf(opts);
  const input = { n, deliveries: num("deliveries", 500), prs: num("prs", 20), dup: num("dup", 0.2), concurrency: num("concurrency", 16), drainCapS: num("drain-cap", 90) };
  const cases: BurstCase[] = [];
  for (const throttle of throttles) cases.push(await runAppCase<BurstInput, BurstCase>(opts, { ...baseInput("burst", opts, throttle), ...input }));
  const rows: Cell[][] = cases.map((c) => [
    throttleLabel(c.throttle),
    c.deliveries,
    c.answers.p50,
    c.answers.p99,
    c.answers.max,
    c.non2xx,
    r1(c.sendMs / 1000),
    c.drained ? r1(c.drainMs / 1000) : `>${input.drainCapS}`,
    c.previews.total,
    c.previews.heads,
    c.previews.maxPerHead,
    c.previewCommentsPerPr.min === c.previewCommentsPerPr.max ? c.previewCommentsPerPr.max : `${c.previewCommentsPerPr.min}-${c.previewCommentsPerPr.max}`,
    c.gh.total,
    c.gh.counted,
  ]);
  const notes: string[] = [];
  const c0 = cases[0];
  if (c0) notes.push(`mix (${c0.deliveries} deliveries, ${c0.unique} unique, ${input.prs} PRs): ${Object.entries(c0.byKind).map(([k, v]) => `${k} ${v}`).join(", ")}.`);
  for (const c of cases) {
    const t = throttleLabel(c.throttle);
    notes.push(`${t}: answer p50/p99/max by kind (ms): ${Object.entries(c.answers.byKind).map(([k, v]) => `${k} ${v.p50}/${v.p99}/${v.max}`).join("; ")}.`);
    const dupOk = (c.webhookOutcomes.duplicate ?? 0) === c.expectedDuplicates;
    notes.push(
      `${t}: delivery log ${Object.entries(c.webhookOutcomes).map(([k, v]) => `${k} ${v}`).join(", ")} (redeliveries that reach it: ${c.expectedDuplicates}: ${dupOk ? "each dropped once, none processed twice" : "MISMATCH"}); ` +
        `${c.previews.headsPushed} heads pushed, ${c.previews.heads} previewed (coalescing skips heads superseded while queued), final head of ${c.previews.finalHeadsPreviewed}/${input.prs} PRs previewed; ` +
        `heads previewed more than once: ${c.previews.headsWithSeveral}${c.previews.headsWithSeveral ? ` (${c.previews.severalExplained} on PRs that got a "/converge preview" command)` : ""}; ` +
        `approval checks ${c.approvalChecks}; help answers ${c.helpAnswers} for ${c.helpCommands} help commands; sticky preview comments per PR ${c.previewCommentsPerPr.min}-${c.previewCommentsPerPr.max}.`,
    );
    notes.push(`${t}: ${c.drained ? "" : `NOT drained after ${input.drainCapS} s (${c.pendingKeys} PR queues still busy; side-effect counts are partial); `}GitHub writes ${c.gh.writes} at ${r1(c.ghWritesPerSecond)}/s; k8s requests ${c.kubeRequests.toLocaleString("en-US")}; counted GitHub calls ${describeRoutes(c.gh.byRoute, 12)}.`);
  }
  const d = cases.find((c) => c.throttle === "default");
  const o = cases.find((c) => c.throttle === "off");
  if (d && o && !d.drained) {
    notes.push(
      `Probot default: the same burst needs the ${o.gh.writes} GitHub writes the unthrottled run made (previews, checks, comments); at one write per second process-wide (and one notification-triggering write per 3 s) that is ≥ ${o.gh.writes} s, ` +
        `about ${r1(o.gh.writes / 60)} minutes before the last PR gets its preview, against ${r1(o.drainMs / 1000)} s unthrottled; the handlers that write to GitHub while the webhook waits (the /converge help answer) queue behind those writes.`,
    );
  }
  notes.push(
    `${caseProcess(opts)}: ${input.concurrency} concurrent senders in the app's process (their own CPU is in the answer times), the app and the simulated GitHub in it, the cluster (${opts.latencyMs} ms per request, ${n} objects per plan) in a child process; ` +
      `redeliveries reuse the delivery id and payload of an earlier delivery and are sent after it; answer = HTTP round trip of the signed POST as the sender sees it.`,
  );
  return {
    title: `burst: ${input.deliveries} webhook deliveries across ${input.prs} PRs, ${Math.round(input.dup * 100)} % redeliveries, ${input.concurrency} senders, seed ${opts.seed}`,
    columns: COLUMNS,
    rows,
    notes,
    json: { settings: { ...input, throttles }, cases },
  };
}

export const suite: Suite = {
  name: "burst",
  description: "500 webhook deliveries (20 % redeliveries) across 20 PRs: answer times, each processed once",
  run,
};
