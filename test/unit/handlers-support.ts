// Handler unit tests: real webhook payloads (@octokit/webhooks-examples), a
// real Probot instance loading Converge, and nock as the only GitHub. Strict:
// every expected call is an interceptor, an unmatched request is recorded
// (and fails the request that made it), and finish() fails the test when an
// interceptor went unused, a request found no interceptor, or a job logged an
// error or warning (queued jobs run after the webhook returned, so their
// failures only show in the log).
import { createRequire } from "node:module";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import type { EmitterWebhookEventName } from "@octokit/webhooks";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit, type Context } from "probot";
import { createConverge } from "../../src/index.js";
import type { ConvergeOptions, Runtime } from "../../src/runtime.js";
import type { ClusterRegistry } from "../../src/config/index.js";
import { forgetComments } from "../../src/github/comments.js";

export type Payload<E extends EmitterWebhookEventName> = Context<E>["payload"];

interface ExampleDefinition {
  name: string;
  examples: Array<Record<string, unknown> & { action?: string }>;
}

const require = createRequire(import.meta.url);
// 4 MB of JSON and no `exports` map: load the file by its path, once per test file.
const DEFINITIONS = require("@octokit/webhooks-examples/api.github.com/index.json") as ExampleDefinition[];

export const INSTALLATION_ID = 1;

/**
 * A deep copy of the first real example of `event.action` (or of `fallbackAction`
 * retyped, for events the collection has no example of), with an installation.
 */
export function example<E extends EmitterWebhookEventName>(name: E, fallbackAction?: string): Payload<E> {
  const [event, action] = name.split(".") as [string, string];
  const def = DEFINITIONS.find((d) => d.name === event);
  const found = def?.examples.find((e) => e.action === action) ?? (fallbackAction ? def?.examples.find((e) => e.action === fallbackAction) : undefined);
  if (!found) throw new Error(`@octokit/webhooks-examples has no ${name} example`);
  const copy = structuredClone(found);
  copy.action = action;
  copy.installation = { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  return copy as unknown as Payload<E>;
}

/** A throwaway RSA key in the PEM form GitHub hands out (PKCS#1). */
export function throwawayKey(): string {
  return generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
}

export const REGISTRY: ClusterRegistry = {
  file: "unit-registry.yaml",
  // Never contacted: no case here reaches a cluster.
  clusters: [{ name: "sim", kubeconfig: "/nonexistent/kubeconfig", inCluster: false, repositories: ["*/*"], allowClusterScoped: true }],
};

export interface LogLine {
  level: number;
  msg?: string;
  [k: string]: unknown;
}

export interface Harness {
  probot: Probot;
  rt: Runtime;
  /** Interceptors for the GitHub API host; paths are given without the API prefix via `path()`. */
  api: nock.Scope;
  /** "/repos/…" → "/api/v3/repos/…" on GHES, unchanged on api.github.com. */
  path(p: string): string;
  logs: LogLine[];
  unmatched: string[];
  /** Delivers one event as Probot's webhook middleware would (after signature verification). */
  receive(event: string, payload: unknown, id?: string): Promise<void>;
  /** Interceptor for the installation token exchange (the first installation call of a test). */
  expectToken(): void;
  /** Interceptor for GET /app (the bot login, looked up once by the first queued job). */
  expectApp(): void;
  /** Interceptor for .github/converge.yml on `ref`: its text, or 404 when undefined. */
  expectConfig(ref: string, text: string | undefined): void;
  /** Waits for the queue, then asserts: no unmatched request, no error/warn log line, no unused interceptor. */
  finish(): Promise<void>;
}

export interface HarnessOptions {
  /** Probot's baseUrl (GHES: "https://ghe.example.com/api/v3"); default api.github.com. */
  baseUrl?: string;
  privateKey: string;
}

export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  forgetComments();
  const base = new URL(opts.baseUrl ?? "https://api.github.com");
  const prefix = base.pathname.replace(/\/+$/, "");
  const path = (p: string) => `${prefix}${p}`;

  const logs: LogLine[] = [];
  const log = pino({ level: "info" }, { write: (s: string) => void logs.push(JSON.parse(s) as LogLine) });
  // Throttling spaces writes apart and retries turn an unexpected request into
  // three more after 1 + 4 + 9 s: off, so a failure is immediate and single.
  const Octokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, throttle: { ...(o.throttle as object), enabled: false }, retry: { enabled: false } }));
  const probot = new Probot({ appId: 1, privateKey: opts.privateKey, secret: "unit", log, Octokit, ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}) });

  const unmatched: string[] = [];
  const onNoMatch = (a: Record<string, any>, b?: Record<string, any>) => {
    const o = b ?? a;
    unmatched.push(`${o.method ?? "?"} ${o.protocol ?? ""}//${o.host ?? o.hostname ?? "?"}${o.path ?? ""}`);
  };
  nock.emitter.on("no match", onNoMatch);

  let rt!: Runtime;
  // No reconcile timer: its walk would make requests no case declared, in whichever test runs then.
  const options = { registry: REGISTRY, reconcileIntervalMs: 0 } as ConvergeOptions;
  await probot.load(createConverge(options, (r) => (rt = r)), { cwd: process.cwd(), addHandler: () => {} });
  const api = nock(base.origin);

  return {
    probot,
    rt,
    api,
    path,
    logs,
    unmatched,
    async receive(event, payload, id = randomUUID()) {
      await probot.receive({ id, name: event, payload } as Parameters<Probot["receive"]>[0]);
    },
    expectToken() {
      const expires = new Date(Date.now() + 3600_000).toISOString();
      api.post(path(`/app/installations/${INSTALLATION_ID}/access_tokens`)).reply(201, { token: "ghs_unit", expires_at: expires, permissions: { checks: "write", contents: "read", issues: "write", pull_requests: "write", metadata: "read" }, repository_selection: "all" });
    },
    expectApp() {
      api.get(path("/app")).reply(200, { id: 1, slug: "converge", name: "Converge" });
    },
    expectConfig(ref, text) {
      // octokit encodes the "/" in {path} (".github%2Fconverge.yml").
      const matches = (uri: string) => /\/contents\/\.github(%2F|\/)converge\.yml\?/.test(uri) && new URL(uri, "http://x").searchParams.get("ref") === ref && uri.startsWith(path("/repos/"));
      if (text === undefined) api.get(matches).reply(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest/repos/contents#get-repository-content", status: "404" });
      else api.get(matches).reply(200, { type: "file", encoding: "base64", name: "converge.yml", path: ".github/converge.yml", content: Buffer.from(text).toString("base64") });
    },
    async finish() {
      try {
        (rt as { reconciler?: { stop(): void } }).reconciler?.stop();
        await rt.queue.idle();
        const problems = logs.filter((l) => l.level >= 40).map((l) => `${l.msg ?? ""} ${JSON.stringify(l.err ?? "")}`);
        if (unmatched.length) throw new Error(`requests without an interceptor:\n  ${unmatched.join("\n  ")}`);
        if (problems.length) throw new Error(`errors or warnings logged:\n  ${problems.join("\n  ")}`);
        if (!api.isDone()) throw new Error(`interceptors not used:\n  ${api.pendingMocks().join("\n  ")}`);
      } finally {
        nock.emitter.removeListener("no match", onNoMatch);
      }
    },
  };
}
