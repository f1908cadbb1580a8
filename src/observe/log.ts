// The last filter on every log line, at the logger's destination. Converge's
// own log calls carry no secrets (metadata objects, masked reports), but
// Probot's HTTP access log (pino-http) writes each request's URL and, in JSON
// format, its headers — the status page's `Authorization: Bearer …`, its
// cookie, a `?token=` link — before any app code runs. Pino has no way to add
// redaction to a logger after it was made (`probot run` makes it), so the
// destination's write() gets the redaction instead: one place that covers the
// app's loggers, Probot's and Octokit's, in JSON and pretty formats alike.
import { symbols, type Logger } from "pino";
import { scrub } from "./scrub.js";

const GUARDED = Symbol.for("converge.log-guarded");

type Sink = { write: (chunk: unknown, ...rest: unknown[]) => unknown; [GUARDED]?: true };

/** Wraps the destination of `log` (shared by its parent and children); idempotent. */
export function guardLogDestination(log: Logger): boolean {
  const sink = (log as unknown as Record<symbol, Sink | undefined>)[symbols.streamSym];
  if (!sink || typeof sink.write !== "function" || sink[GUARDED]) return false;
  const write = sink.write;
  sink.write = function (this: unknown, chunk: unknown, ...rest: unknown[]) {
    return write.call(this, typeof chunk === "string" ? redactLine(chunk) : chunk, ...rest);
  };
  sink[GUARDED] = true;
  return true;
}

/** One serialized log line (JSON) with credentials replaced; stays valid JSON. */
export function redactLine(line: string): string {
  return scrub(
    line
      .replace(/("(?:authorization|cookie|set-cookie|proxy-authorization|x-hub-signature(?:-256)?)":\s*)"(?:[^"\\]|\\.)*"/gi, '$1"[redacted]"')
      .replace(/([?&](?:token|access_token)=)[^&"\s\\]+/gi, "$1[redacted]"),
  );
}
