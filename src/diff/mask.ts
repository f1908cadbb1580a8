// Secrets never leave the process: values become placeholders before any
// diff is rendered. Placeholders are an HMAC under a random per-process key, so
// equal values compare equal within one plan ("unchanged" stays unchanged) but a
// placeholder cannot be reversed by hashing guesses, nor linked across runs.
import { createHmac, randomBytes } from "node:crypto";
import type { KubeObject } from "../manifests/object.js";
import type { SecretKeyChange } from "./plan.js";
import { isPlainObject } from "./equal.js";

const KEY = randomBytes(32);
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

function placeholder(bytes: Buffer | string): string {
  return `<secret: hmac ${createHmac("sha256", KEY).update(bytes).digest("hex").slice(0, 12)}>`;
}

export function isSecret(obj: KubeObject | undefined): obj is KubeObject {
  return obj?.kind === "Secret" && obj.apiVersion === "v1";
}

function stringMap(value: unknown): Record<string, string> {
  if (!isPlainObject(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) out[k] = typeof v === "string" ? v : v == null ? "" : String(v);
  return out;
}

/** `data` as the API server stores it: stringData merged in (and winning), base64-encoded. */
function mergedData(secret: KubeObject): Record<string, string> {
  const data = stringMap(secret.data);
  for (const [k, v] of Object.entries(stringMap(secret.stringData))) data[k] = Buffer.from(v, "utf8").toString("base64");
  return data;
}

function maskOne(secret: KubeObject): KubeObject {
  const { stringData: _s, data: _d, ...rest } = structuredClone(secret);
  const masked = rest as KubeObject;
  const data = mergedData(secret);
  const keys = Object.keys(data).sort();
  // Hash the decoded bytes: two base64 spellings of one value are one value.
  if (keys.length) masked.data = Object.fromEntries(keys.map((k) => [k, placeholder(Buffer.from(data[k], "base64"))]));
  const annotations = masked.metadata.annotations;
  if (annotations?.[LAST_APPLIED] !== undefined) annotations[LAST_APPLIED] = placeholder(annotations[LAST_APPLIED]);
  return masked;
}

/** Keys added/changed/removed between two masked Secrets (either may be absent). */
export function secretKeyChanges(maskedLive: KubeObject | undefined, maskedPredicted: KubeObject | undefined): SecretKeyChange[] {
  if (!isSecret(maskedLive) && !isSecret(maskedPredicted)) return [];
  const live = stringMap(maskedLive?.data);
  const predicted = stringMap(maskedPredicted?.data);
  const keys = [...new Set([...Object.keys(live), ...Object.keys(predicted)])].sort();
  const changes: SecretKeyChange[] = [];
  for (const key of keys) {
    if (!(key in live)) changes.push({ key, change: "added" });
    else if (!(key in predicted)) changes.push({ key, change: "removed" });
    else if (live[key] !== predicted[key]) changes.push({ key, change: "changed" });
  }
  return changes;
}

export interface MaskResult {
  live?: KubeObject;
  predicted?: KubeObject;
  /** Keys added/changed/removed from live to predicted; never values. */
  keys: SecretKeyChange[];
}

/** Mask v1 Secrets (either side may be absent: create/delete); other kinds pass through. */
export function maskSecrets(live: KubeObject | undefined, predicted: KubeObject | undefined): MaskResult {
  if (!isSecret(live) && !isSecret(predicted)) return { live, predicted, keys: [] };
  const maskedLive = isSecret(live) ? maskOne(live) : live;
  const maskedPredicted = isSecret(predicted) ? maskOne(predicted) : predicted;
  return { live: maskedLive, predicted: maskedPredicted, keys: secretKeyChanges(maskedLive, maskedPredicted) };
}

/** Plain values of a Secret (data decoded, stringData as is), for redactText. */
export function secretValues(obj: KubeObject): string[] {
  if (!isSecret(obj)) return [];
  const decoded = Object.values(stringMap(obj.data)).map((v) => Buffer.from(v, "base64").toString("utf8"));
  return [...decoded, ...Object.values(stringMap(obj.stringData))];
}

function spellings(secret: string): string[] {
  const b64 = Buffer.from(secret, "utf8").toString("base64");
  // Servers echo values raw, base64-encoded (with or without padding) or JSON-escaped.
  return [secret, b64, b64.replace(/=+$/, ""), JSON.stringify(secret).slice(1, -1)];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Replace every known secret value (and its encodings) in text, e.g. a server error message. */
export function redactText(text: string, secrets: string[]): string {
  const forms = [...new Set(secrets.filter((s) => s !== "").flatMap(spellings))].filter((f) => f !== "");
  if (!forms.length) return text;
  // One pass, longest first: a secret containing another is replaced whole, and
  // a short secret cannot match inside an earlier "<redacted>".
  forms.sort((a, b) => b.length - a.length);
  return text.replace(new RegExp(forms.map(escapeRegExp).join("|"), "g"), "<redacted>");
}
