// The one door to a Kubernetes API server. Authentication and TLS come from
// @kubernetes/client-node's KubeConfig (token, client certs, exec plugins,
// in-cluster), but bodies are sent verbatim: client-node's typed models drop
// unknown fields, and a typo like `spec.replica` must reach the server's
// strict field validation. Every request is counted for benchmarks/metrics.
import http from "node:http";
import https from "node:https";
import { KubeConfig } from "@kubernetes/client-node";
import fetch, { type RequestInit } from "node-fetch";
import { errorFromResponse, isSchemaError, KubeApiError } from "./errors.js";

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  /** Retry on 429/5xx/connection errors (only for idempotent requests). */
  retry?: boolean;
}

export interface RequestStats {
  total: number;
  errors: number;
  retries: number;
  byVerb: Record<string, number>;
}

export interface KubeClientOptions {
  maxRetries?: number;
  /** Cap for a server's Retry-After, so a hostile or confused server cannot park us. */
  maxRetryDelayMs?: number;
  onRequest?: (verb: string, status: number) => void;
}

export class KubeClient {
  readonly kc: KubeConfig;
  readonly server: string;
  readonly stats: RequestStats = { total: 0, errors: 0, retries: 0, byVerb: {} };
  private agent?: http.Agent;
  private readonly opts: Required<Omit<KubeClientOptions, "onRequest">> & Pick<KubeClientOptions, "onRequest">;

  constructor(kc: KubeConfig, opts: KubeClientOptions = {}) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error("kubeconfig has no current cluster");
    this.kc = kc;
    this.server = cluster.server.replace(/\/+$/, "");
    this.opts = { maxRetries: opts.maxRetries ?? 4, maxRetryDelayMs: opts.maxRetryDelayMs ?? 10_000, onRequest: opts.onRequest };
  }

  /** Performs one API call and returns the parsed JSON body; throws KubeApiError on HTTP errors. */
  async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const retry = opts.retry ?? (method === "GET" || method === "PATCH");
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(method, path, opts);
      } catch (err) {
        const delay = retry && attempt < this.opts.maxRetries ? this.retryDelay(err, attempt) : undefined;
        if (delay === undefined) throw err;
        this.stats.retries++;
        await sleep(delay);
      }
    }
  }

  /** A streaming GET (watch); the caller reads lines from the returned body. */
  async stream(path: string, query: RequestOptions["query"], signal: AbortSignal): Promise<NodeJS.ReadableStream> {
    const init = await this.init("GET", {});
    init.signal = signal as RequestInit["signal"];
    const res = await fetch(this.url(path, query), init);
    this.count("WATCH", res.status);
    if (res.status !== 200) throw errorFromResponse(res.status, await readBody(res), res.headers.get("retry-after"));
    return res.body;
  }

  close(): void {
    this.agent?.destroy();
  }

  private async once<T>(method: string, path: string, opts: RequestOptions): Promise<T> {
    const init = await this.init(method, opts);
    let res;
    try {
      res = await fetch(this.url(path, opts.query), init);
    } catch (err) {
      this.count(method, 0);
      throw new KubeApiError(0, "ConnectionFailed", `cannot reach ${this.server}: ${(err as Error).message}`);
    }
    this.count(method, res.status);
    const body = await readBody(res);
    if (res.status >= 400) throw errorFromResponse(res.status, body, res.headers.get("retry-after"));
    return body as T;
  }

  private async init(method: string, opts: RequestOptions): Promise<RequestInit> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (opts.body !== undefined) headers["Content-Type"] = opts.contentType ?? "application/json";
    const init = await this.kc.applyToFetchOptions({ method, headers });
    // client-node builds a fresh Agent per call (no keep-alive): one TLS
    // handshake per request. Reuse one keep-alive agent with the same TLS
    // options instead; auth headers still come fresh from applyToFetchOptions.
    init.agent = this.sharedAgent(init.agent as http.Agent | undefined);
    if (opts.body !== undefined) init.body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    return init;
  }

  private sharedAgent(fresh: http.Agent | undefined): http.Agent | undefined {
    if (this.agent || !fresh) return this.agent ?? fresh;
    // Only plain agents are swapped: a proxy agent (kubeconfig proxy-url) is
    // kept as client-node built it.
    if (fresh.constructor !== https.Agent && fresh.constructor !== http.Agent) return fresh;
    const options = (fresh as unknown as { options?: https.AgentOptions }).options ?? {};
    const isHttps = fresh instanceof https.Agent;
    this.agent = isHttps
      ? new https.Agent({ ...options, keepAlive: true, maxSockets: 32 })
      : new http.Agent({ ...(options as http.AgentOptions), keepAlive: true, maxSockets: 32 });
    return this.agent;
  }

  private url(path: string, query: RequestOptions["query"]): string {
    const u = new URL(this.server + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  private count(verb: string, status: number): void {
    this.stats.total++;
    this.stats.byVerb[verb] = (this.stats.byVerb[verb] ?? 0) + 1;
    if (status === 0 || status >= 500 || status === 429) this.stats.errors++;
    this.opts.onRequest?.(verb, status);
  }

  private retryDelay(err: unknown, attempt: number): number | undefined {
    if (!(err instanceof KubeApiError)) return undefined;
    const retriable = (err.status === 0 || err.status === 429 || err.status >= 500) && !isSchemaError(err);
    if (!retriable) return undefined;
    const backoff = Math.min(100 * 2 ** attempt, 2_000) * (0.5 + Math.random() / 2);
    const server = err.retryAfterSeconds !== undefined ? err.retryAfterSeconds * 1000 : 0;
    return Math.min(Math.max(server, backoff), this.opts.maxRetryDelayMs);
  }
}

async function readBody(res: { text(): Promise<string>; headers: { get(name: string): string | null } }): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  const type = res.headers.get("content-type") ?? "";
  if (type.includes("json") || text.startsWith("{")) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
