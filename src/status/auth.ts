// Who may see the status page: whoever holds the operator's token, sent as
// `Authorization: Bearer <token>` (scripts, the JSON API) or once as
// `?token=<token>` (a browser), which sets an HttpOnly SameSite=Strict cookie
// and redirects to the same URL without the token, so it does not stay in the
// address bar, the history or a Referer. The cookie holds an HMAC of the token,
// not the token itself. Comparisons are constant-time.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export const COOKIE = "converge_status";
const COOKIE_PATH = "/converge";
const COOKIE_MAX_AGE = 12 * 3600;

export type AuthResult = { ok: true } | { ok: true; setCookie: string; redirect: string } | { ok: false };

export class StatusAuth {
  private readonly tokenDigest: Buffer;
  private readonly session: string;

  constructor(token: string) {
    this.tokenDigest = digest(token);
    this.session = createHmac("sha256", token).update("converge-status-session-v1").digest("base64url");
  }

  check(req: IncomingMessage, url: URL): AuthResult {
    const header = req.headers.authorization;
    if (header && /^bearer\s+/i.test(header) && this.matches(header.replace(/^bearer\s+/i, "").trim())) return { ok: true };
    const fromQuery = url.searchParams.get("token");
    if (fromQuery !== null) {
      if (!this.matches(fromQuery)) return { ok: false };
      const clean = new URL(url.href);
      clean.searchParams.delete("token");
      const secure = isHttps(req) ? "; Secure" : "";
      return { ok: true, setCookie: `${COOKIE}=${this.session}; Path=${COOKIE_PATH}; Max-Age=${COOKIE_MAX_AGE}; HttpOnly; SameSite=Strict${secure}`, redirect: clean.pathname + clean.search };
    }
    const cookie = readCookie(req.headers.cookie, COOKIE);
    if (cookie !== undefined && safeEqual(Buffer.from(cookie), Buffer.from(this.session))) return { ok: true };
    return { ok: false };
  }

  private matches(candidate: string): boolean {
    return safeEqual(digest(candidate), this.tokenDigest);
  }
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** TLS here, or TLS terminated by a proxy in front that says so. */
function isHttps(req: IncomingMessage): boolean {
  const proto = req.headers["x-forwarded-proto"];
  return (req.socket as { encrypted?: boolean }).encrypted === true || (typeof proto === "string" && proto.split(",")[0]!.trim() === "https");
}
