// Outgoing notifications to an operator-configured webhook (Slack-compatible
// incoming-webhook JSON: `{ text, blocks }`; Mattermost, Rocket.Chat, Teams
// workflows and most chat bridges take the same shape). One message per domain
// event worth a human's attention: deploy failed, revert PR opened, drift
// detected, drift healed. Delivery runs in the background — a slow or dead
// receiver never delays or fails a deploy — with a bounded number of retries.
import type { Logger } from "pino";
import type { ConvergeEmitter, ConvergeEvents } from "../agent/events.js";
import { scrub } from "./scrub.js";

export interface NotifierOptions {
  url: string;
  log: Logger;
  /** Retries after the first attempt (default 3). */
  retries?: number;
  /** First backoff; doubles per retry, ±20 % jitter (default 1 s). */
  backoffMs?: number;
  /** Per-attempt timeout (default 5 s). */
  timeoutMs?: number;
}

export interface Message {
  text: string;
  blocks: Array<Record<string, unknown>>;
}

export interface Notifier {
  /** Resolves when every message handed over so far was delivered or given up (tests, shutdown). */
  idle(): Promise<void>;
  stop(): void;
}

const MAX_TEXT = 2_900; // Slack: 3,000 characters per section text
/** Messages in flight or waiting for a retry; beyond this a dead receiver would only cost memory. */
const MAX_PENDING = 200;

export function startNotifier(events: ConvergeEmitter, opts: NotifierOptions): Notifier {
  const pending = new Set<Promise<void>>();
  const target = safeTarget(opts.url);
  const send = (kind: string, message: Message | undefined) => {
    if (!message) return;
    if (pending.size >= MAX_PENDING) {
      opts.log.warn({ target, kind, pending: pending.size }, "notification dropped: the receiver is not keeping up");
      return;
    }
    // Started on a later turn: the emitter (a deploy) returns before any network work begins.
    const p = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => deliver(opts, target, kind, message))
      .catch((err: Error) => opts.log.warn({ target, kind, err: scrub(err.message) }, "notification failed"))
      .finally(() => pending.delete(p));
    pending.add(p);
  };
  const onDeploy: Listener<"deploy"> = (e) => send("deploy-failed", deployFailedMessage(e));
  const onRevert: Listener<"revert"> = (e) => send("revert-opened", revertMessage(e));
  const onDrift: Listener<"drift"> = (e) => send(`drift-${e.action}`, driftMessage(e));
  events.on("deploy", onDeploy);
  events.on("revert", onRevert);
  events.on("drift", onDrift);
  return {
    async idle() {
      while (pending.size) await Promise.all([...pending]);
    },
    stop() {
      events.off("deploy", onDeploy);
      events.off("revert", onRevert);
      events.off("drift", onDrift);
    },
  };
}

export function deployFailedMessage(e: ConvergeEvents["deploy"][0]): Message | undefined {
  if (e.result !== "failure") return undefined;
  const where = `${e.repo.owner}/${e.repo.repo}`;
  const detail = firstLines(e.message, 8);
  return message(
    `:x: Deploy of \`${e.sha.slice(0, 7)}\` to *${esc(e.env)}* (${esc(where)}) failed: ${esc(e.reason)}`,
    detail ? `\`\`\`${fenceSafe(detail)}\`\`\`` : undefined,
    `trigger: ${e.trigger} · ${Math.round(e.ms / 1000)} s`,
  );
}

export function revertMessage(e: ConvergeEvents["revert"][0]): Message | undefined {
  if (e.outcome.kind !== "opened") return undefined;
  const where = `${e.repo.owner}/${e.repo.repo}`;
  const merged = e.outcome.merged ? " and merged it (onFailure: revert-merge): the previous version is being deployed" : ": merge it to roll back";
  return message(`:rewind: Converge opened revert PR ${esc(where)}#${e.outcome.number} for \`${e.sha.slice(0, 7)}\` after its deploy to *${esc(e.env)}* failed${merged}.`);
}

export function driftMessage(e: ConvergeEvents["drift"][0]): Message | undefined {
  const where = `${e.repo.owner}/${e.repo.repo}`;
  const objects = `${e.objects} object${e.objects === 1 ? "" : "s"}`;
  const report = e.report ? `\`\`\`${fenceSafe(firstLines(e.report, 40))}\`\`\`` : undefined;
  if (e.action === "detected") return message(`:warning: Drift detected in *${esc(e.env)}* (${esc(where)}): ${objects} differ from Git. Reported in the repository's drift issue.`, report);
  if (e.action === "healed") return message(`:wrench: Drift in *${esc(e.env)}* (${esc(where)}) is being healed: re-applying Git to ${objects}.`, report);
  return undefined;
}

function message(headline: string, body?: string, context?: string): Message {
  const text = clip(scrub(headline), MAX_TEXT);
  const blocks: Array<Record<string, unknown>> = [{ type: "section", text: { type: "mrkdwn", text } }];
  if (body) blocks.push({ type: "section", text: { type: "mrkdwn", text: clip(scrub(body), MAX_TEXT) } });
  if (context) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: clip(scrub(context), 300) }] });
  return { text, blocks };
}

async function deliver(opts: NotifierOptions, target: string, kind: string, msg: Message): Promise<void> {
  const retries = opts.retries ?? 3;
  const body = JSON.stringify(msg);
  for (let attempt = 0; ; attempt++) {
    let problem: string;
    try {
      const res = await fetch(opts.url, { method: "POST", headers: { "content-type": "application/json" }, body, signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000), redirect: "error" });
      await res.body?.cancel().catch(() => undefined);
      if (res.ok) return;
      problem = `HTTP ${res.status}`;
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        opts.log.warn({ target, kind, status: res.status }, "notification refused by the receiver: not retried");
        return;
      }
    } catch (err) {
      problem = scrub((err as Error).message);
    }
    if (attempt >= retries) {
      opts.log.warn({ target, kind, attempts: attempt + 1, problem }, "notification not delivered: giving up");
      return;
    }
    const delay = (opts.backoffMs ?? 1_000) * 2 ** attempt * (0.8 + Math.random() * 0.4);
    opts.log.info({ target, kind, attempt: attempt + 1, problem, retryInMs: Math.round(delay) }, "notification delivery failed: retrying");
    await new Promise((r) => setTimeout(r, delay).unref());
  }
}

/** The receiver for logs: scheme, host and path start only (Slack webhook paths are themselves secrets). */
function safeTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.length > 12 ? `${u.pathname.slice(0, 12)}…` : u.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

/** Slack mrkdwn: &, <, > are control characters. */
function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function fenceSafe(s: string): string {
  return esc(s.replace(/```/g, "'''"));
}

function firstLines(s: string, n: number): string {
  const lines = s.split("\n");
  return lines.length <= n ? s.trim() : `${lines.slice(0, n).join("\n")}\n… ${lines.length - n} more lines`;
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

type Listener<K extends keyof ConvergeEvents> = (...args: ConvergeEvents[K]) => void;
