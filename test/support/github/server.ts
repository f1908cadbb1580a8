import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { authenticate, bucketFor, canSeeRepo, hasPermission, rateHeaders } from "./auth.js";
import { errorBody } from "./http.js";
import type { SimRequest, SimResponse } from "./http.js";
import { requiredPerms } from "./router.js";
import type { Ctx, Identity, Match, Router } from "./router.js";
import type { RepoRec, State } from "./state.js";

// The request pipeline, in the order GitHub applies it: route → credentials
// → fault injection → access/permissions → primary and secondary rate limits
// → handler → conditional-request (ETag/304) → bookkeeping.
// Anything without a route is answered 404 and kept in `unexpected`, so a
// test can fail on calls the app was not supposed to make.

export interface CallRecord {
  method: string;
  /** Path without `/api/v3`, as sent (still URL-encoded). */
  path: string;
  /** Route template, e.g. "POST /repos/{owner}/{repo}/issues/{issue_number}/comments"; undefined when unrouted. */
  route?: string;
  query: Record<string, string>;
  status: number;
  installationId?: number;
  body?: unknown;
  at: number;
}

export interface InterceptRequest {
  method: string;
  path: string;
  route?: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  installationId?: number;
  /** How many times this route has been called so far, this call included. */
  count: number;
}

export interface InterceptResult { status: number; headers?: Record<string, string>; body?: unknown }
export type Interceptor = (req: InterceptRequest) => InterceptResult | undefined | void;

export interface ServerConfig {
  latencyMs: number;
  /** Secondary limit on content creation per installation per minute; undefined = not simulated. */
  contentCreationPerMinute?: number;
  /** GHES adds `x-github-enterprise-version`; api.github.com does not. */
  enterpriseVersion?: string;
}

export class SimServer {
  readonly calls: CallRecord[] = [];
  readonly unexpected: CallRecord[] = [];
  readonly counters = new Map<string, number>();
  readonly interceptors: Interceptor[] = [];
  private creations = new Map<string, number[]>();

  constructor(private s: State, private publicKey: string, private router: Router, readonly config: ServerConfig) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (this.config.latencyMs > 0) await new Promise((r) => setTimeout(r, this.config.latencyMs));
    const url = new URL(req.url ?? "/", this.s.urls.web);
    const method = req.method ?? "GET";
    const underApi = url.pathname === "/api/v3" || url.pathname.startsWith("/api/v3/");
    const path = underApi ? url.pathname.slice("/api/v3".length) || "/" : url.pathname;
    const rawBody = Buffer.concat(chunks).toString("utf8");
    const record: CallRecord = { method, path, query: Object.fromEntries(url.searchParams), status: 0, at: this.s.now() };
    const out = await this.process(req, url, method, path, underApi, rawBody, record);
    record.status = out.status;
    this.calls.push(record);
    this.write(res, out);
  }

  private async process(req: IncomingMessage, url: URL, method: string, path: string, underApi: boolean,
    rawBody: string, record: CallRecord): Promise<SimResponse> {
    const match = this.router.match(method, path);
    const valid = match && (match.route.auth === "none") !== underApi;
    if (!match || !valid) return this.unexpectedCall(record, `simulated GitHub: unexpected request ${method} ${path}`);
    const routeKey = `${method} ${match.route.path}`;
    record.route = routeKey;
    this.counters.set(routeKey, (this.counters.get(routeKey) ?? 0) + 1);
    let body: unknown;
    try { body = rawBody ? JSON.parse(rawBody) : undefined; } catch { return { status: 400, body: errorBody(400, "Problems parsing JSON") }; }
    record.body = body;
    const sreq: SimRequest = { method, path, query: url.searchParams, headers: req.headers, body, url };
    if (match.route.auth === "none") return this.run(match, sreq, { kind: "anonymous" }, undefined!);
    const identity = authenticate(this.s, this.publicKey, header(req, "authorization"));
    if ("status" in identity) return identity;
    if (identity.kind === "installation") record.installationId = identity.installation.id;
    const faulted = this.intercept(match, sreq, record);
    if (faulted) return faulted;
    const denied = this.authorize(match, identity, method);
    if (denied) return denied;
    const repo = this.repoFor(match, identity);
    if (!repo && match.params.repo !== undefined) return { status: 404, body: errorBody(404, "Not Found") };
    const forbidden = this.checkPermissions(match, identity, repo);
    if (forbidden) return forbidden;
    const { bucket } = bucketFor(this.s, identity);
    const counted = match.route.path !== "/rate_limit";
    if (counted && bucket.used >= bucket.limit) return this.primaryLimited(identity, bucket);
    const secondary = this.secondaryLimit(match, identity);
    if (secondary) return secondary;
    let out = await this.run(match, sreq, identity, repo!);
    out = this.conditional(req, method, out);
    if (counted && out.status !== 304) bucket.used++;
    out.headers = { ...rateHeaders(bucket), ...out.headers };
    return out;
  }

  private async run(match: Match, req: SimRequest, identity: Identity, repo: RepoRec): Promise<SimResponse> {
    const viaApp = identity.kind === "installation";
    const ctx: Ctx = { s: this.s, req, params: match.params, identity, repo, actor: viaApp ? this.s.botLogin : "", viaApp };
    try {
      return await match.route.handler(ctx);
    } catch (e) {
      // A handler crash is a simulator gap as much as an unrouted call: surface it the same way.
      const msg = `simulated GitHub: handler failed for ${req.method} ${req.path}: ${(e as Error).stack ?? e}`;
      this.unexpected.push({ method: req.method, path: req.path, query: Object.fromEntries(req.query), status: 500, at: this.s.now() });
      return { status: 500, body: { message: msg } };
    }
  }

  private unexpectedCall(record: CallRecord, message: string): SimResponse {
    this.unexpected.push(record);
    return { status: 404, body: { message, documentation_url: "https://docs.github.com/rest" } };
  }

  private intercept(match: Match, req: SimRequest, record: CallRecord): SimResponse | undefined {
    for (const fn of this.interceptors) {
      const r = fn({ method: req.method, path: req.path, route: record.route, query: record.query, headers: req.headers, body: req.body,
        installationId: record.installationId, count: this.counters.get(record.route!) ?? 0 });
      if (r) return { status: r.status, headers: r.headers, body: r.body ?? (r.status >= 400 ? { message: `simulated fault ${r.status}` } : undefined) };
    }
    return undefined;
  }

  private authorize(match: Match, identity: Identity, method: string): SimResponse | undefined {
    const auth = match.route.auth;
    if (auth === "app" && identity.kind !== "app") {
      return { status: 401, body: errorBody(401, "A JSON web token could not be decoded") };
    }
    if (auth === "installation" && identity.kind === "app") {
      return { status: 403, body: errorBody(403, "Resource not accessible by integration") };
    }
    if (auth === "installation" && identity.kind === "anonymous" && method !== "GET") {
      return { status: 401, body: errorBody(401, "Requires authentication") };
    }
    return undefined;
  }

  private repoFor(match: Match, identity: Identity): RepoRec | undefined {
    const { owner, repo } = match.params;
    if (owner === undefined || repo === undefined) return undefined;
    const r = this.s.repo(`${owner}/${repo}`);
    if (!r) return undefined;
    // App-JWT routes (GET /repos/{o}/{r}/installation) only need the repo to exist.
    return match.route.auth === "app" || canSeeRepo(identity, r) ? r : undefined;
  }

  private checkPermissions(match: Match, identity: Identity, repo: RepoRec | undefined): SimResponse | undefined {
    if (identity.kind !== "installation") return undefined;
    const needs = requiredPerms(match.route);
    const foreign = repo && repo.owner.toLowerCase() !== identity.installation.account.toLowerCase();
    const writes = needs.some(([, level]) => level === "write");
    const granted = needs.length === 0 || needs.some(([n, l]) => hasPermission(identity.token.permissions, n, l));
    if (granted && !(foreign && writes)) return undefined;
    return { status: 403, body: errorBody(403, "Resource not accessible by integration"), headers: { "x-accepted-github-permissions": needs.map(([n, l]) => `${n}=${l}`).join("; ") } };
  }

  private primaryLimited(identity: Identity, bucket: { limit: number }): SimResponse {
    const who = identity.kind === "installation" ? `installation ID ${identity.installation.id}` : identity.kind === "app" ? "app" : "127.0.0.1";
    return { status: 403, body: errorBody(403, `API rate limit exceeded for ${who}.`) };
  }

  private secondaryLimit(match: Match, identity: Identity): SimResponse | undefined {
    const max = this.config.contentCreationPerMinute;
    if (!max || !match.route.creates) return undefined;
    const key = identity.kind === "installation" ? String(identity.installation.id) : identity.kind;
    const now = this.s.now();
    const recent = (this.creations.get(key) ?? []).filter((t) => t > now - 60_000);
    if (recent.length >= max) {
      return { status: 403, headers: { "retry-after": "60" }, body: { message: "You have exceeded a secondary rate limit and have been temporarily blocked from content creation. Please retry your request again later.", documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits", status: "403" } };
    }
    recent.push(now);
    this.creations.set(key, recent);
    return undefined;
  }

  /** ETag on every successful GET; a matching If-None-Match gets an empty 304 that costs no rate limit. */
  private conditional(req: IncomingMessage, method: string, out: SimResponse): SimResponse {
    if (method !== "GET" || out.status !== 200) return out;
    const payload = out.raw ?? Buffer.from(JSON.stringify(out.body ?? null));
    const etag = `W/"${createHash("sha256").update(payload).digest("hex")}"`;
    const inm = header(req, "if-none-match");
    const strip = (t: string) => t.trim().replace(/^W\//, "");
    if (inm && inm.split(",").some((t) => strip(t) === strip(etag) || t.trim() === "*")) {
      return { status: 304, headers: { etag } };
    }
    return { ...out, headers: { ...out.headers, etag } };
  }

  private write(res: ServerResponse, out: SimResponse): void {
    const headers: Record<string, string> = {
      date: new Date(this.s.now()).toUTCString(),
      "x-github-request-id": requestId(),
      "x-github-media-type": "github.v3; format=json",
      "x-github-api-version-selected": "2022-11-28",
      ...(this.config.enterpriseVersion ? { "x-github-enterprise-version": this.config.enterpriseVersion } : {}),
    };
    let payload: Buffer | undefined;
    if (out.raw) payload = out.raw;
    else if (typeof out.body === "string") { payload = Buffer.from(out.body); headers["content-type"] = "text/html; charset=utf-8"; }
    else if (out.body !== undefined && out.status !== 304 && out.status !== 204) {
      payload = Buffer.from(JSON.stringify(out.body));
      headers["content-type"] = "application/json; charset=utf-8";
    }
    Object.assign(headers, out.headers);
    if (payload) headers["content-length"] = String(payload.length);
    res.writeHead(out.status, headers);
    res.end(payload);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Shaped like GitHub's "C0DE:1A2B:3C4D5E:6F7A8B:65F0A1B2". */
function requestId(): string {
  const h = (n: number) => randomBytes(n).toString("hex").toUpperCase();
  return `${h(2)}:${h(2)}:${h(3)}:${h(3)}:${h(4)}`;
}
