import { createHmac, randomUUID } from "node:crypto";

// Deliveries the way GitHub's "Hookshot" sends them: JSON body, event name and
// delivery id headers, HMAC signatures over the exact bytes sent.

export function signWebhook(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export interface WebhookDelivery {
  event: string;
  /** Delivery id (x-github-delivery); random UUID when omitted. Redeliveries reuse it. */
  id?: string;
  payload: unknown;
  secret: string;
  /** Override the x-hub-signature-256 value (e.g. a wrong one); null omits the header. */
  signature?: string | null;
  installationTargetId?: number;
}

export interface WebhookResult { status: number; body: string; ms: number }

/** POSTs one delivery to the app's webhook URL (e.g. http://127.0.0.1:PORT/api/github/webhooks). */
export async function sendWebhook(appUrl: string, d: WebhookDelivery): Promise<WebhookResult> {
  const body = JSON.stringify(d.payload);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "GitHub-Hookshot/4f1e2a9",
    "x-github-event": d.event,
    "x-github-delivery": d.id ?? randomUUID(),
    "x-github-hook-id": "424242",
    "x-github-hook-installation-target-type": "integration",
    "x-github-hook-installation-target-id": String(d.installationTargetId ?? 1),
    "x-hub-signature": `sha1=${createHmac("sha1", d.secret).update(body).digest("hex")}`,
  };
  const signature = d.signature === undefined ? signWebhook(d.secret, body) : d.signature;
  if (signature !== null) headers["x-hub-signature-256"] = signature;
  const started = performance.now();
  const res = await fetch(appUrl, { method: "POST", headers, body });
  const text = await res.text();
  return { status: res.status, body: text, ms: performance.now() - started };
}
