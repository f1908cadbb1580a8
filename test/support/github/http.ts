// Small HTTP vocabulary shared by every API area of the simulated GitHub:
// the request/response shapes handlers see, GitHub's error bodies, and
// GitHub-style pagination (per_page/page + `link` header).

export type Json = unknown;

export interface SimRequest {
  method: string;
  /** Path without the `/api/v3` prefix, still URL-encoded. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Json;
  /** Absolute URL of this request as the client sent it (for `link` headers). */
  url: URL;
}

export interface SimResponse {
  status: number;
  body?: Json;
  headers?: Record<string, string>;
  /** Raw payload (tarballs, raw file contents); wins over `body`. */
  raw?: Buffer;
}

const DOCS = "https://docs.github.com/rest";

/** GitHub's error body: message, documentation_url and (since 2023) status as a string. */
export function errorBody(status: number, message: string, extra: Record<string, unknown> = {}): Json {
  return { message, documentation_url: DOCS, status: String(status), ...extra };
}

export function json(status: number, body: Json, headers: Record<string, string> = {}): SimResponse {
  return { status, body, headers };
}

export function notFound(): SimResponse {
  return { status: 404, body: errorBody(404, "Not Found") };
}

export function noContent(): SimResponse {
  return { status: 204 };
}

export function validationFailed(errors: unknown[], message = "Validation Failed"): SimResponse {
  return { status: 422, body: errorBody(422, message, { errors }) };
}

/** 422 with a plain message, the shape GitHub uses for e.g. "Reference already exists". */
export function unprocessable(message: string): SimResponse {
  return { status: 422, body: errorBody(422, message) };
}

export function fieldError(resource: string, field: string, code = "invalid", message?: string): Record<string, string> {
  return message ? { resource, code, field, message } : { resource, code, field };
}

/** Slices a list like GitHub does: per_page defaults to 30, is clamped to 1..100, pages start at 1. */
export function paginate<T>(req: SimRequest, items: T[], out: (item: T) => Json = (x) => x): SimResponse {
  const perPage = clampInt(req.query.get("per_page"), 30, 1, 100);
  const page = clampInt(req.query.get("page"), 1, 1, Number.MAX_SAFE_INTEGER);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage).map(out);
  const rels: string[] = [];
  const link = (p: number, rel: string): void => {
    const u = new URL(req.url);
    u.searchParams.set("per_page", String(perPage));
    u.searchParams.set("page", String(p));
    rels.push(`<${u.toString()}>; rel="${rel}"`);
  };
  if (page > 1) link(Math.min(page - 1, last), "prev");
  if (page < last) link(page + 1, "next");
  if (page < last) link(last, "last");
  if (page > 1) link(1, "first");
  return { status: 200, body: slice, headers: rels.length ? { link: rels.join(", ") } : {} };
}

function clampInt(value: string | null, fallback: number, min: number, max: number): number {
  const n = value === null ? NaN : Number.parseInt(value, 10);
  if (!Number.isFinite(n)) return fallback;
  return Math.min(max, Math.max(min, n));
}

/** GitHub timestamps are ISO 8601 without milliseconds. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Legacy-format GraphQL node id (`base64("04:User1")`), good enough for clients that only pass it through. */
export function nodeId(type: string, id: number | string): string {
  return Buffer.from(`0${type.length}:${type}${id}`).toString("base64");
}

/** Base64 wrapped at 60 columns with a trailing newline, as GitHub returns blob/file content. */
export function wrappedBase64(data: Buffer): string {
  const b64 = data.toString("base64");
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 60) lines.push(b64.slice(i, i + 60));
  return lines.length ? lines.join("\n") + "\n" : "";
}

/** Reads a string field from a JSON body without trusting its type. */
export function str(body: Json, key: string): string | undefined {
  if (!body || typeof body !== "object") return undefined;
  const v = (body as Record<string, unknown>)[key];
  return typeof v === "string" ? v : undefined;
}

export function field(body: Json, key: string): unknown {
  if (!body || typeof body !== "object") return undefined;
  return (body as Record<string, unknown>)[key];
}
