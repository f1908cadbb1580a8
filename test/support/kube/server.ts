// HTTP handling: recording, latency, fault injection, bearer-token auth, routing
// of the Kubernetes REST paths to the verb handlers, and Status error answers.

import type { IncomingMessage, ServerResponse } from "node:http";
import { parseRequestBody, type ParsedBody } from "./body.js";
import type { Ctx, Env } from "./context.js";
import { getOne, listObjects } from "./read.js";
import { resolvePath } from "./routes.js";
import { removeCollection, removeOne } from "./remove.js";
import { ApiError, invalid, methodNotAllowed, serverError, status, unauthorized, unsupportedMediaType } from "./status.js";
import { delay, type Obj } from "./util.js";
import type { WatchHub } from "./watch.js";
import { create, patch, PATCH_TYPES, replace } from "./write.js";

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  status: number;
  body?: unknown;
}
export interface InterceptResponse { status: number; body?: unknown; headers?: Record<string, string> }
export type Interceptor = (req: RecordedRequest) => InterceptResponse | undefined;

export interface ServerDeps {
  env: Env;
  hub: WatchHub;
  token: string;
  latencyMs: number;
  requests: RecordedRequest[];
  interceptor(): Interceptor | undefined;
}

const BODY_TYPES = ["application/json", "application/yaml"];

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, rec: RecordedRequest, code: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  rec.status = code;
  const text = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, rec: RecordedRequest, err: ApiError): void {
  send(res, rec, err.code, err.body, err.headers);
}

const INJECTED: Record<number, [string, string]> = {
  429: ["TooManyRequests", "Too many requests, please try again later."],
  500: ["InternalError", "Internal error occurred: injected fault"],
  503: ["ServiceUnavailable", "The server is currently unable to handle the request"],
  504: ["Timeout", "The server was unable to return a response in the time allotted, but may still be processing the request"],
};

export function createHandler(deps: ServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(deps, req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
      else res.destroy();
    });
  };
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "https://127.0.0.1");
  const raw = await readBody(req);
  const contentType = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase() || undefined;
  const rec: RecordedRequest = { method: req.method ?? "GET", path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0 };
  if (contentType) rec.contentType = contentType;
  const parsed = parseRequestBody(raw, contentType, rec.query.fieldValidation);
  if (raw) rec.body = parsed.value ?? raw;
  deps.requests.push(rec);
  if (deps.latencyMs > 0) await delay(deps.latencyMs);

  const injected = deps.interceptor()?.(rec);
  if (injected) {
    let body = injected.body;
    if (body === undefined && injected.status >= 400) {
      const [reason, message] = INJECTED[injected.status] ?? ["", `injected ${injected.status}`];
      body = status(injected.status, reason || undefined, message).body;
    }
    return send(res, rec, injected.status, body, injected.headers);
  }
  if (req.headers.authorization !== `Bearer ${deps.token}`) return sendError(res, rec, unauthorized());
  try {
    route(deps, req, res, rec, url, parsed, contentType);
  } catch (err) {
    if (err instanceof ApiError) sendError(res, rec, err);
    else sendError(res, rec, serverError(err instanceof Error ? err.message : String(err)));
  }
}

function optionsKind(method: string): string {
  return method === "POST" ? "CreateOptions" : method === "PUT" ? "UpdateOptions" : method === "PATCH" ? "PatchOptions" : "DeleteOptions";
}

function route(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, rec: RecordedRequest, url: URL, parsed: ParsedBody, contentType: string | undefined): void {
  const { env } = deps;
  const method = rec.method;
  const seg = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const reply = (code: number, body: unknown, headers?: Record<string, string | string[]>) => send(res, rec, code, body, headers);

  const r = resolvePath(env.registry, seg, rec.query);
  if (r.t === "text") {
    rec.status = 200;
    return void res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" }).end(r.text);
  }
  if (r.t === "doc") {
    if (method !== "GET") throw methodNotAllowed();
    return reply(200, r.body);
  }
  const { rt, ns, name, sub, watch } = r;

  const ctx: Ctx = {
    rt, ns, name, query: rec.query, dryRun: false, warnings: [],
    manager: rec.query.fieldManager || String(req.headers["user-agent"] ?? "unknown").split("/")[0].slice(0, 128) || "unknown",
    ...(sub ? { sub: "status" as const } : {}),
  };
  const dryRun = url.searchParams.getAll("dryRun");
  if (dryRun.some((d) => d !== "All")) {
    throw invalid(optionsKind(method), "meta.k8s.io", "", [{ type: "NotSupported", field: "dryRun", value: JSON.stringify(dryRun.find((d) => d !== "All")), detail: 'supported values: "All"' }]);
  }
  ctx.dryRun = dryRun.length > 0;
  const fv = rec.query.fieldValidation;
  if (fv !== undefined && !["", "Ignore", "Warn", "Strict"].includes(fv)) {
    throw invalid(optionsKind(method), "meta.k8s.io", "", [{ type: "NotSupported", field: "fieldValidation", value: JSON.stringify(fv), detail: 'supported values: "Ignore", "Strict", "Warn"' }]);
  }

  const body = () => {
    if (parsed.error) throw parsed.error;
    ctx.warnings.push(...parsed.warnings);
    return parsed.value;
  };
  const warnings = () => (ctx.warnings.length ? { Warning: ctx.warnings.map((w) => `299 - ${JSON.stringify(w)}`) } : undefined);
  const ok = (r: { code: number; body: Obj }) => reply(r.code, r.body, warnings());
  switch (method) {
    case "GET":
      if (watch) {
        // Watching one object (the deprecated /watch/.../name form) is a watch with a name field selector.
        if (name !== undefined) ctx.query = { ...ctx.query, fieldSelector: [ctx.query.fieldSelector, `metadata.name=${name}`].filter(Boolean).join(",") };
        rec.status = 200;
        return deps.hub.open(ctx, res);
      }
      return name !== undefined ? reply(200, getOne(env, ctx)) : reply(200, listObjects(env, ctx));
    case "POST":
    case "PUT": {
      if ((method === "POST") !== (name === undefined) || (method === "POST" && rt.namespaced && !ns)) throw methodNotAllowed();
      if (contentType && !BODY_TYPES.includes(contentType)) throw unsupportedMediaType(contentType, [...BODY_TYPES, "application/vnd.kubernetes.protobuf"]);
      return ok(method === "POST" ? create(env, ctx, body()) : replace(env, ctx, body()));
    }
    case "PATCH": {
      if (name === undefined) throw methodNotAllowed();
      // Custom resources have no strategic merge patch, as on the real server.
      const accepted = rt.custom ? PATCH_TYPES.filter((t) => t !== "application/strategic-merge-patch+json") : PATCH_TYPES;
      if (!contentType || !accepted.includes(contentType)) throw unsupportedMediaType(contentType ?? "", accepted);
      return ok(patch(env, ctx, contentType, body()));
    }
    case "DELETE": {
      const opts = body();
      if ((opts as Obj | undefined)?.dryRun?.includes?.("All")) ctx.dryRun = true;
      return ok(name === undefined ? removeCollection(env, ctx, opts) : removeOne(env, ctx, opts));
    }
    default:
      throw methodNotAllowed();
  }
}
