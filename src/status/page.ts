// The status page's HTTP side: /converge (HTML) and /converge/api/environments
// (the same model as JSON), behind the operator's token (auth.ts). The model is
// cached for 30 s and shared by concurrent views, so reloading costs no GitHub
// or cluster calls; when a fresh read fails, the last good model is shown with
// a note instead of an error page.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { scrub } from "../observe/scrub.js";
import { StatusAuth } from "./auth.js";
import { renderStatusPage, STYLE_HASH, esc } from "./html.js";
import type { StatusModel } from "./model.js";

export const STATUS_PATH = "/converge";
export const STATUS_API_PATH = "/converge/api/environments";

export interface StatusPageOptions {
  token: string;
  collect: () => Promise<StatusModel>;
  log: Logger;
  /** How long one read of the model is served (default 30 s). */
  cacheMs?: number;
}

export class ModelCache {
  private cached?: { at: number; model: StatusModel };
  private inFlight?: Promise<StatusModel>;

  constructor(
    private readonly collect: () => Promise<StatusModel>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<{ model: StatusModel; stale?: string }> {
    if (this.cached && this.now() - this.cached.at < this.ttlMs) return { model: this.cached.model };
    try {
      this.inFlight ??= this.collect().finally(() => (this.inFlight = undefined));
      const model = await this.inFlight;
      this.cached = { at: this.now(), model };
      return { model };
    } catch (err) {
      if (!this.cached) throw err;
      return { model: this.cached.model, stale: scrub((err as Error).message).slice(0, 200) };
    }
  }
}

/** Returns a Probot addHandler-style function: true when it answered the request. */
export function statusPage(opts: StatusPageOptions): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  const auth = new StatusAuth(opts.token);
  const cacheMs = opts.cacheMs ?? 30_000;
  const cache = new ModelCache(opts.collect, cacheMs);
  return async (req, res, url) => {
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const api = path === STATUS_API_PATH;
    if (path !== STATUS_PATH && !api) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("method not allowed\n");
      return true;
    }
    const who = auth.check(req, url);
    if (!who.ok) {
      const headers = { ...SECURITY_HEADERS, "www-authenticate": 'Bearer realm="converge"' };
      if (api) res.writeHead(401, { ...headers, "content-type": "application/json" }).end(JSON.stringify({ error: "a status token is required: Authorization: Bearer <token>" }));
      else res.writeHead(401, { ...headers, "content-type": "text/html; charset=utf-8" }).end(message("Token required", "Open this page with <code>?token=…</code> once (it sets a cookie), or send <code>Authorization: Bearer …</code>."));
      return true;
    }
    if ("redirect" in who) {
      res.writeHead(303, { ...SECURITY_HEADERS, location: who.redirect, "set-cookie": who.setCookie }).end();
      return true;
    }
    let read: { model: StatusModel; stale?: string };
    try {
      read = await cache.get();
    } catch (err) {
      opts.log.warn({ err: scrub((err as Error).message) }, "status page: model not readable");
      const text = scrub((err as Error).message).slice(0, 300);
      if (api) res.writeHead(503, { ...SECURITY_HEADERS, "content-type": "application/json" }).end(JSON.stringify({ error: text }));
      else res.writeHead(503, { ...SECURITY_HEADERS, "content-type": "text/html; charset=utf-8" }).end(message("Status not available", esc(text)));
      return true;
    }
    if (api) {
      const body = JSON.stringify({ ...read.model, cacheSeconds: cacheMs / 1000, ...(read.stale ? { stale: read.stale } : {}) }, null, 2);
      res.writeHead(200, { ...SECURITY_HEADERS, "content-type": "application/json; charset=utf-8" }).end(req.method === "HEAD" ? undefined : body);
    } else {
      const html = renderStatusPage(read.model, { cacheSeconds: cacheMs / 1000, stale: read.stale });
      res.writeHead(200, { ...SECURITY_HEADERS, "content-type": "text/html; charset=utf-8" }).end(req.method === "HEAD" ? undefined : html);
    }
    return true;
  };
}

const SECURITY_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "content-security-policy": `default-src 'none'; style-src ${STYLE_HASH}; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
};

function message(title: string, html: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Converge — ${esc(title)}</title></head><body><h1>${esc(title)}</h1><p>${html}</p></body></html>`;
}
