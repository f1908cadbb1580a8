// Outgoing notifications against a local HTTP receiver: one message per
// event, Slack-compatible JSON, secrets scrubbed, bounded retries with
// backoff, and never in the way of the code that emitted the event.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { ConvergeEmitter, type ConvergeEvents } from "../../src/agent/events.js";
import { startNotifier, type Message } from "../../src/observe/notify.js";
import { scrub } from "../../src/observe/scrub.js";
import { guardLogDestination, redactLine } from "../../src/observe/log.js";

const log = pino({ level: "silent" });
const repo = { owner: "acme", repo: "shop" };
const SHA = "3f2a9c41d5e6f708192a3b4c5d6e7f8091a2b3c4";

interface Receiver {
  url: string;
  messages: Message[];
  attempts: number;
  close(): Promise<void>;
}

/** `answer(n)`: the status for the n-th request (1-based); "hang" never answers. */
async function receiver(answer: (n: number) => number | "hang" = () => 200): Promise<Receiver> {
  const r = { messages: [] as Message[], attempts: 0 } as Receiver;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const status = answer(++r.attempts);
      if (status === "hang") return;
      if (status === 200) r.messages.push(JSON.parse(body) as Message);
      res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "nope");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/XXXXSECRETPATH`;
  r.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return r;
}

const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

function deployFailed(over: Partial<ConvergeEvents["deploy"][0]> = {}): ConvergeEvents["deploy"][0] {
  return { repo, env: "production", sha: SHA, trigger: "push", result: "failure", reason: "Degraded", ms: 4200, message: "Deployment shop/web: ImagePullBackOff", ...over };
}

describe("notifications", () => {
  it("sends one Slack-compatible message per event worth a human's attention, and none for the rest", async () => {
    const r = await receiver();
    receivers.push(r);
    const events = new ConvergeEmitter();
    const n = startNotifier(events, { url: r.url, log });
    events.emit("deploy", deployFailed());
    events.emit("deploy", deployFailed({ result: "success", reason: "Healthy", message: "ok" })); // not news
    events.emit("revert", { repo, env: "production", sha: SHA, outcome: { kind: "opened", number: 12, merged: false } });
    events.emit("revert", { repo, env: "production", sha: SHA, outcome: { kind: "exists", number: 12 } }); // already told
    events.emit("drift", { repo, env: "production", action: "detected", objects: 2, report: "~ ConfigMap shop/web-config\n-  LOG_LEVEL: info\n+  LOG_LEVEL: trace" });
    events.emit("drift", { repo, env: "staging", action: "healed", objects: 1 });
    events.emit("drift", { repo, env: "production", action: "resolved", objects: 0 });
    await n.idle();
    expect(r.attempts).toBe(4);
    const texts = r.messages.map((m) => m.text);
    expect(texts[0]).toContain(":x: Deploy of `3f2a9c4` to *production* (acme/shop) failed: Degraded");
    expect(texts[1]).toContain("revert PR acme/shop#12");
    expect(texts[2]).toContain("Drift detected in *production* (acme/shop): 2 objects differ");
    expect(texts[3]).toContain("Drift in *staging* (acme/shop) is being healed");
    for (const m of r.messages) {
      expect(typeof m.text).toBe("string");
      expect(m.blocks[0]).toMatchObject({ type: "section", text: { type: "mrkdwn" } });
    }
    expect(JSON.stringify(r.messages[0]!.blocks)).toContain("ImagePullBackOff");
    expect(JSON.stringify(r.messages[2]!.blocks)).toContain("LOG_LEVEL: trace");
    n.stop();
  });

  it("scrubs anything shaped like a token from the message", async () => {
    const r = await receiver();
    receivers.push(r);
    const events = new ConvergeEmitter();
    const n = startNotifier(events, { url: r.url, log });
    const ghs = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";
    events.emit("deploy", deployFailed({ message: `GET https://x-access-token:${ghs}@ghe.example/api failed; Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjQyNDJ9.c2lnbmF0dXJlLWJ5dGVz; token ghp_abcdefghijklmnopqrstuvwxyz0123456789` }));
    await n.idle();
    const body = JSON.stringify(r.messages);
    expect(body).not.toContain(ghs);
    expect(body).not.toContain("eyJhbGciOiJSUzI1NiJ9");
    expect(body).not.toContain("ghp_abcdefghij");
    expect(body).toContain("ghe.example/api failed");
    n.stop();
  });

  it("retries with backoff: a receiver answering 500 twice then 200 gets the message on the 3rd try", async () => {
    const r = await receiver((n) => (n <= 2 ? 500 : 200));
    receivers.push(r);
    const events = new ConvergeEmitter();
    const n = startNotifier(events, { url: r.url, log, backoffMs: 50 });
    const t0 = Date.now();
    events.emit("deploy", deployFailed());
    await n.idle();
    expect(r.attempts).toBe(3);
    expect(r.messages).toHaveLength(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(50 * 0.8 + 100 * 0.8); // two backoffs: ~50 ms then ~100 ms
    n.stop();
  });

  it("gives up after 3 retries, and does not retry what the receiver refuses (4xx)", async () => {
    const down = await receiver(() => 503);
    const refuses = await receiver(() => 404);
    receivers.push(down, refuses);
    const lines: string[] = [];
    const captured = pino({ level: "info" }, { write: (l: string) => void lines.push(l) });
    const events = new ConvergeEmitter();
    const a = startNotifier(events, { url: down.url, log: captured, backoffMs: 5 });
    const b = startNotifier(events, { url: refuses.url, log: captured, backoffMs: 5 });
    events.emit("deploy", deployFailed());
    await Promise.all([a.idle(), b.idle()]);
    expect(down.attempts).toBe(4);
    expect(refuses.attempts).toBe(1);
    expect(lines.some((l) => l.includes("giving up"))).toBe(true);
    // The receiver's URL path (a Slack webhook's secret) is not logged in full.
    expect(lines.join("")).not.toContain("XXXXSECRETPATH");
    a.stop();
    b.stop();
  });

  it("never blocks the emitter: a receiver that hangs or is down costs the deploy nothing", async () => {
    const hang = await receiver(() => "hang");
    receivers.push(hang);
    const closed = await receiver();
    await closed.close(); // nothing listens there any more
    const events = new ConvergeEmitter();
    const a = startNotifier(events, { url: hang.url, log, timeoutMs: 200, retries: 1, backoffMs: 10 });
    const b = startNotifier(events, { url: closed.url, log, backoffMs: 10 });
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) events.emit("deploy", deployFailed());
    expect(performance.now() - t0).toBeLessThan(50);
    await Promise.all([a.idle(), b.idle()]);
    // 20 messages × (1 try + 1 retry), each timed out (one that timed out before reaching the receiver is not seen there).
    expect(hang.attempts).toBeGreaterThanOrEqual(20);
    expect(hang.attempts).toBeLessThanOrEqual(40);
    a.stop();
    b.stop();
  });
});

describe("scrub", () => {
  it("replaces GitHub tokens, bearer values, JWTs and URL credentials; leaves ordinary text", () => {
    expect(scrub("token ghs_abcdefghijklmnopqrstuvwxyz012345 used")).toBe("token gh*_*** used");
    expect(scrub("gho_abcdefghijklmnopqrstuv ghu_abcdefghijklmnopqrstuv ghr_abcdefghijklmnopqrstuv")).not.toMatch(/gh[our]_[a-z]/);
    expect(scrub("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz")).toBe("github_pat_***");
    expect(scrub("Authorization: Bearer abc.def-123456")).toBe("Authorization: Bearer ***");
    expect(scrub("v1.0123456789abcdef0123456789abcdef01234567")).toBe("v1.***");
    expect(scrub("https://user:s3cret@example.com/x")).toBe("https://***@example.com/x");
    expect(scrub("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U")).toBe("jwt ***jwt***");
    const plain = "Deployment shop/web: ImagePullBackOff (image ghcr.io/acme/web:broken); 2 of 3 objects applied";
    expect(scrub(plain)).toBe(plain);
  });
});

describe("log destination guard", () => {
  it("redacts credentials in serialized lines and keeps them valid JSON", () => {
    const line = JSON.stringify({ req: { url: "/converge?token=abc123&x=1", headers: { authorization: 'Bearer "q" t0k3n', cookie: "converge_status=xyz" } }, msg: "GET /converge?token=abc123 200", gh: "ghs_abcdefghijklmnopqrstuvwxyz0123" });
    const out = redactLine(line);
    expect(() => JSON.parse(out)).not.toThrow();
    const parsed = JSON.parse(out) as { req: { url: string; headers: Record<string, string> }; msg: string; gh: string };
    expect(parsed.req.headers).toEqual({ authorization: "[redacted]", cookie: "[redacted]" });
    expect(parsed.req.url).toBe("/converge?token=[redacted]&x=1");
    expect(parsed.msg).toBe("GET /converge?token=[redacted] 200");
    expect(parsed.gh).toBe("gh*_***");
  });

  it("wraps a logger's destination once, for the logger and its children", () => {
    const lines: string[] = [];
    const root = pino({ level: "info" }, { write: (l: string) => void lines.push(l) });
    const child = root.child({ name: "http" });
    expect(guardLogDestination(child)).toBe(true);
    expect(guardLogDestination(root)).toBe(false); // same destination: already guarded
    root.info({ headers: { authorization: "Bearer abcdefgh12345678" } }, "request");
    child.info("GET /converge?token=sekrit 401");
    expect(lines.join("")).not.toContain("abcdefgh12345678");
    expect(lines.join("")).not.toContain("sekrit");
    expect(lines).toHaveLength(2);
  });
});
