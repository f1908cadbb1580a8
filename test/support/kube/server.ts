// HTTP handling: recording, latency, fault injection, bearer-token auth, routing
// of the Kubernetes REST paths to the verb handlers, and Status error answers.

import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseYaml, parseDocument } from "yaml";
import type { Ctx, Env } from "./context.js";
import { openapiGroupVersion, openapiRoot } from "./openapi.js";
import { getOne, listObjects } from "./read.js";
import { removeCollection, removeOne } from "./remove.js";
import { ApiError, badRequest, invalid, methodNotAllowed, noRoute, serverError, status, unauthorized, unsupportedMediaType } from "./status.js";
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
const VERSION = { major: "1", minor: "32", gitVersion: "v1.32.0", gitCommit: "kube-sim", gitTreeState: "clean", buildDate: "2024-12-11T00:00:00Z", goVersion: "go1.23.3", compiler: "gc", platform: "linux/amd64" };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function isYaml(contentType: string | undefined): boolean {
  return contentType === "application/yaml" || contentType === "application/apply-patch+yaml";
}

interface ParsedBody { value?: unknown; error?: ApiError; warnings: string[] }

/** Parses a request body once (recorded and handled from the same value). JSON is tried first: it is YAML too. */
function parseRequestBody(raw: string, contentType: string | undefined, fieldValidation: string | undefined): ParsedBody {
  if (!raw) return { warnings: [] };
  const first = raw.trimStart()[0];
  if (!isYaml(contentType) || first === "{" || first === "[") {
    try {
      return { value: JSON.parse(raw), warnings: [] };
    } catch (err) {
      if (!isYaml(contentType)) return { error: badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`), warnings: [] };
    }
  }
  const directive = fieldValidation || "Warn";
  const doc = parseDocument(raw, { uniqueKeys: directive !== "Ignore" });
  const dup = doc.errors.find((e) => e.code === "DUPLICATE_KEY");
  const other = doc.errors.find((e) => e.code !== "DUPLICATE_KEY");
  if (other) return { error: badRequest(`error decoding YAML: ${other.message}`), warnings: [] };
  if (dup && directive === "Strict") return { error: badRequest(`error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  ${dup.message}`), warnings: [] };
  // Duplicate keys under Warn: the last one wins, with a warning.
  return dup ? { value: parseYaml(raw, { uniqueKeys: false }), warnings: [dup.message] } : { value: doc.toJS(), warnings: [] };
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

  if (seg.length === 0) return reply(200, { paths: ["/api", "/api/v1", "/apis", "/healthz", "/livez", "/readyz", "/version"] });
  if (seg.length === 1 && ["healthz", "livez", "readyz"].includes(seg[0])) {
    rec.status = 200;
    return void res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" }).end("ok");
  }
  if (seg.length === 1 && seg[0] === "version") return reply(200, VERSION);
  if (seg[0] === "openapi" && seg[1] === "v3") {
    if (seg.length === 2) return reply(200, openapiRoot(env.registry));
    const [group, version] = seg[2] === "api" ? ["", seg[3]] : [seg[3], seg[4]];
    const doc = openapiGroupVersion(env.registry, group ?? "", version ?? "", env.registry.typesIn(group ?? "", version ?? ""));
    if (doc) return reply(200, doc);
  }
  let group: string;
  let version: string;
  let rest: string[];
  if (seg[0] === "api") {
    if (seg.length === 1) return reply(200, env.registry.apiVersions());
    [group, version, rest] = ["", seg[1], seg.slice(2)];
    if (version !== "v1") throw noRoute();
  } else if (seg[0] === "apis") {
    if (seg.length === 1) return reply(200, env.registry.groupList());
    if (seg.length === 2) {
      const g = env.registry.groupList().groups.find((x: Obj) => x.name === seg[1]);
      if (!g) throw noRoute();
      return reply(200, { kind: "APIGroup", apiVersion: "v1", ...g });
    }
    [group, version, rest] = [seg[1], seg[2], seg.slice(3)];
  } else throw noRoute();

  if (rest.length === 0) {
    const list = env.registry.resourceList(group, version);
    if (!list || method !== "GET") throw list ? methodNotAllowed() : noRoute();
    return reply(200, list);
  }
  let watch = rec.query.watch === "1" || rec.query.watch === "true";
  if (rest[0] === "watch") [watch, rest] = [true, rest.slice(1)]; // the deprecated /watch/ prefix

  let ns = "";
  let plural: string;
  let name: string | undefined;
  let sub: string | undefined;
  const nsSub = !group && rest[0] === "namespaces" && rest.length === 3 && (rest[2] === "status" || rest[2] === "finalize");
  if (rest[0] === "namespaces" && rest.length >= 3 && !nsSub) {
    if (rest.length > 5) throw noRoute();
    [ns, plural, name, sub] = [rest[1], rest[2], rest[3], rest[4]];
  } else {
    if (rest.length > 3) throw noRoute();
    [plural, name, sub] = [rest[0], rest[1], rest[2]];
  }
  const rt = env.registry.lookup(group, version, plural);
  if (!rt || (ns && !rt.namespaced) || (!ns && name !== undefined && rt.namespaced)) throw noRoute();
  if (sub !== undefined && (sub !== "status" || !rt.status)) throw noRoute();

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
    case "PATCH":
      if (name === undefined) throw methodNotAllowed();
      if (!contentType || !PATCH_TYPES.includes(contentType)) throw unsupportedMediaType(contentType ?? "", PATCH_TYPES);
      return ok(patch(env, ctx, contentType, body()));
    case "DELETE": {
      const opts = body();
      if ((opts as Obj | undefined)?.dryRun?.includes?.("All")) ctx.dryRun = true;
      return ok(name === undefined ? removeCollection(env, ctx, opts) : removeOne(env, ctx, opts));
    }
    default:
      throw methodNotAllowed();
  }
}
