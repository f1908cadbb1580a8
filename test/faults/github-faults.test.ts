// GitHub misbehaving and webhooks arriving more than once: the same
// afternoon (scenario.ts) runs on a clean GitHub, then with faults, then with
// every webhook delivered five times; what GitHub and the cluster end up with
// must be the same each time (report.ts), with bounded retries.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack, type StackOptions } from "../support/stack.js";
import { startController } from "../support/kube/controller.js";
import type { InterceptRequest, InterceptResult } from "../support/github/index.js";
import { collectReport, type ScenarioReport } from "./report.js";
import { once, shopScenario, SHOP, SHOP_IMAGES, SHOP_NS, type Deliver, type ScenarioResult } from "./scenario.js";
import { faultSeed, seeded } from "./random.js";
import { secondaryLimitWait, withGitHubRetries } from "../../src/github/retry.js";

// plugin-retry's backoff unit scaled from 1 s to 20 ms (1 s, 4 s, 9 s → 20, 80, 180 ms); the throttle plugin
// stays with Probot's own handlers (it gives up on secondary limits, as in production), without its spacing.
const OCTOKIT: StackOptions["octokit"] = { throttle: "unspaced", retryAfterBaseMs: 20 };
const SECONDARY = "You have exceeded a secondary rate limit and have been temporarily blocked from content creation. Please retry your request again later.";

/** GitHub's answer to too much content creation: 403, the message, and a (short) retry-after. */
function secondaryLimit(): InterceptResult {
  return { status: 403, headers: { "retry-after": "1" }, body: { message: SECONDARY, documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits" } };
}

interface Run {
  stack: Stack;
  result: ScenarioResult;
  report: ScenarioReport;
  ms: number;
}

const open: Stack[] = [];

async function run(faults?: (req: InterceptRequest) => InterceptResult | undefined, deliver: Deliver = once): Promise<Run> {
  const stack = await startStack({ verifyTimeoutMs: 20_000, octokit: OCTOKIT });
  open.push(stack);
  const controller = startController(stack.kube, SHOP_IMAGES);
  try {
    if (faults) stack.gh.intercept(faults);
    const t0 = Date.now();
    const result = await shopScenario(stack, deliver);
    const ms = Date.now() - t0;
    return { stack, result, report: collectReport(stack.gh, stack.kube, SHOP, SHOP_NS), ms };
  } finally {
    await controller.stop();
  }
}

/** Faulted answers, and the longest run of faults one request (method + path + body) met in a row. */
function attempts(stack: Stack): { maxFaultsInARow: number; faulted: number; total: number } {
  const streak = new Map<string, number>();
  let maxFaultsInARow = 0;
  let faulted = 0;
  for (const c of stack.gh.calls) {
    const key = `${c.method} ${c.path} ${JSON.stringify(c.body ?? null)}`;
    const bad = c.status >= 500 || c.status === 403; // the scenario has no real 403
    if (bad) faulted++;
    const n = bad ? (streak.get(key) ?? 0) + 1 : 0;
    streak.set(key, n);
    maxFaultsInARow = Math.max(maxFaultsInARow, n);
  }
  return { maxFaultsInARow, faulted, total: stack.gh.calls.length };
}

/** Check runs per head commit and name (a redelivered event must not add any). */
function checkCounts(run: Run): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of run.stack.gh.checkRuns(SHOP)) {
    const head = [...run.result.heads, run.result.merged, run.result.broken.sha].indexOf(c.headSha);
    out[`${head}:${c.name}`] = (out[`${head}:${c.name}`] ?? 0) + 1;
  }
  return out;
}

let clean: Run;

beforeAll(async () => {
  clean = await run();
  // The scenario did what it is about (so that equality below means something).
  const r = clean.report;
  expect(Object.keys(r.comments).length).toBeGreaterThanOrEqual(2);
  expect(r.deployments.some((d) => d.includes("success("))).toBe(true);
  expect(r.deployments.some((d) => d.includes("failure(Degraded"))).toBe(true);
  expect(r.issues.some((i) => i.startsWith('Revert "Ship the broken image"'))).toBe(true);
  expect(clean.stack.gh.unexpected).toEqual([]);
}, 60_000);

afterEach(async () => {
  for (const s of open.splice(0)) if (s !== clean.stack) await s.close();
});

afterAll(async () => {
  await clean?.stack.close();
});

describe("GitHub faults", () => {
  it("every third call a 5xx, and secondary rate limits with retry-after on writes: same comments, checks, Deployments", async () => {
    let calls = 0;
    let writes = 0;
    const limited = new Set<string>();
    const faulty = await run((req) => {
      calls++;
      // The first of each kind of content creation (comment, check run, Deployment, PR) meets a secondary limit.
      const creates = req.method === "POST" && req.route && /\/(comments|check-runs|deployments|pulls)$/.test(req.route) ? req.route : undefined;
      if (creates && !limited.has(creates)) return limited.add(creates), secondaryLimit();
      if (req.method !== "GET" && ++writes % 10 === 3) return secondaryLimit();
      if (calls % 3 === 0) return { status: [502, 500, 503, 504][(calls / 3) % 4]!, body: { message: "Server Error" } };
      return undefined;
    });
    expect(faulty.report).toEqual(clean.report);
    expect(faulty.stack.gh.unexpected).toEqual([]);
    expect([...limited].sort()).toHaveLength(4);
    // A retried creation creates once: one preview comment, one deploy comment per deploy, one revert PR.
    const gh = faulty.stack.gh;
    expect(gh.comments(SHOP, faulty.result.pull).filter((c) => c.body.includes("<!-- converge:preview"))).toHaveLength(1);
    expect(gh.comments(SHOP, faulty.result.pull).filter((c) => c.body.includes("Deployed"))).toHaveLength(1);
    expect(gh.comments(SHOP, faulty.result.broken.number).filter((c) => c.body.includes("failed"))).toHaveLength(1);
    expect([...gh.state.requireRepo(SHOP).issues.values()].filter((i) => i.pull?.headRef.startsWith("converge/revert-"))).toHaveLength(1);
    const a = attempts(faulty.stack);
    expect(a.faulted).toBeGreaterThan(20);
    expect(a.maxFaultsInARow).toBeLessThanOrEqual(3); // bounded: plugin-retry's 3 retries, our 3 for secondary limits
    expect(writes).toBeGreaterThan(10);
    console.info(`GitHub faults (deterministic): ${a.faulted} of ${a.total} calls faulted; scenario ${faulty.ms} ms (clean ${clean.ms} ms)`);
  }, 60_000);

  it("30 % of calls a 5xx at seeded random: same comments, checks, Deployments", async () => {
    const rng = seeded(faultSeed(7_302));
    const inARow = new Map<string, number>();
    const faulty = await run((req) => {
      // A transient fault: one request fails at most twice in a row (plugin-retry sends it 4 times).
      const key = `${req.method} ${req.path} ${JSON.stringify(req.body ?? null)}`;
      const n = inARow.get(key) ?? 0;
      if (n < 2 && rng.chance(0.3)) {
        inARow.set(key, n + 1);
        return { status: rng.pick([500, 502, 503, 504]), body: { message: "Server Error" } };
      }
      inARow.set(key, 0);
      return undefined;
    });
    expect(faulty.report).toEqual(clean.report);
    expect(faulty.stack.gh.unexpected).toEqual([]);
    const a = attempts(faulty.stack);
    expect(a.faulted / a.total).toBeGreaterThan(0.15);
    console.info(`GitHub faults (seeded): ${a.faulted} of ${a.total} calls faulted; scenario ${faulty.ms} ms (clean ${clean.ms} ms)`);
  }, 60_000);
});

describe("redelivery", () => {
  it("every webhook three times with its id and twice with new ids: one comment, one set of checks per head, one Deployment per deploy, one revert PR", async () => {
    const fivefold: Deliver = async (stack, event, payload) => {
      const id = randomUUID();
      for (const d of [id, id, id, randomUUID(), randomUUID()]) expect((await stack.send(event, payload, d)).status).toBeLessThan(300);
      await stack.idle();
      // And once more after the work is done (GitHub's "Redeliver" button, an hour later).
      await stack.send(event, payload, id);
      await stack.send(event, payload, randomUUID());
      await stack.idle();
    };
    const repeated = await run(undefined, fivefold);
    expect(repeated.report).toEqual(clean.report);
    const gh = repeated.stack.gh;
    expect(checkCounts(repeated)).toEqual(checkCounts(clean));
    expect(gh.comments(SHOP, repeated.result.pull).filter((c) => c.viaApp && c.body.includes("<!-- converge:preview"))).toHaveLength(1);
    expect(gh.deployments(SHOP).filter((d) => d.sha === repeated.result.merged)).toHaveLength(1);
    expect([...gh.state.requireRepo(SHOP).issues.values()].filter((i) => i.pull?.headRef.startsWith("converge/revert-"))).toHaveLength(1);
    expect(gh.unexpected).toEqual([]);
  }, 60_000);
});

describe("secondary rate limits (github/retry.ts)", () => {
  it("recognises a secondary limit by GitHub's message or a 429 with retry-after, nothing else", () => {
    const err = (status: number, message: string, headers: Record<string, string> = {}) => ({ status, message, response: { headers, data: { message } } });
    expect(secondaryLimitWait(err(403, SECONDARY, { "retry-after": "7" }))).toBe(7_000);
    expect(secondaryLimitWait(err(403, SECONDARY))).toBe(60_000); // GitHub: no header → wait a minute
    expect(secondaryLimitWait(err(429, "Too Many Requests", { "retry-after": "2" }))).toBe(2_000);
    expect(secondaryLimitWait(err(403, "Resource not accessible by integration"))).toBeUndefined();
    expect(secondaryLimitWait(err(403, "API rate limit exceeded for installation ID 1.", { "x-ratelimit-remaining": "0" }))).toBeUndefined();
    expect(secondaryLimitWait(err(502, "Server Error"))).toBeUndefined();
  });

  it("sends a request again after the wait, and gives up at once when GitHub asks for longer than the cap", async () => {
    const stack = await startStack({ octokit: OCTOKIT });
    open.push(stack);
    stack.gh.createRepo("acme/limits", { files: { "README.md": "x" } });
    const { ProbotOctokit } = await import("probot");
    const gh = withGitHubRetries(new ProbotOctokit({ auth: { token: stack.gh.installationToken(stack.gh.installationId("acme/limits")) }, baseUrl: stack.gh.apiUrl, throttle: { enabled: false }, retry: { enabled: false } }), { maxWaitMs: 5_000 });
    let answer: InterceptResult | undefined = secondaryLimit();
    const remove = stack.gh.intercept((req) => {
      if (req.method !== "POST") return undefined;
      const a = answer;
      answer = undefined;
      return a;
    });
    const t0 = Date.now();
    await gh.rest.issues.create({ owner: "acme", repo: "limits", title: "once" });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect([...stack.gh.state.requireRepo("acme/limits").issues.values()].map((i) => i.title)).toEqual(["once"]);
    answer = { ...secondaryLimit(), headers: { "retry-after": "3600" } };
    const t1 = Date.now();
    await expect(gh.rest.issues.create({ owner: "acme", repo: "limits", title: "never" })).rejects.toMatchObject({ status: 403 });
    expect(Date.now() - t1).toBeLessThan(1_000);
    remove();
  }, 20_000);
});
