// Deployed images must be immutable references, so that what was reviewed is
// what runs: a tag like "latest" can point at different bytes tomorrow.
import type { ImagePolicy } from "../config/types.js";
import { groupOf, type KubeObject } from "../manifests/object.js";
import type { Condition, ImageRef } from "./types.js";
import { plain } from "./text.js";

export interface ParsedImage {
  name: string; // registry[:port]/path
  tag?: string;
  digest?: string; // "sha256:…"
}

/**
 * Splits `[registry[:port]/]path[:tag][@digest]`. The tag is a colon after
 * the last "/", so "localhost:5000/app" has no tag.
 */
export function parseImage(image: string): ParsedImage {
  const at = image.indexOf("@");
  const rest = at === -1 ? image : image.slice(0, at);
  const digest = at === -1 ? undefined : image.slice(at + 1);
  const colon = rest.lastIndexOf(":");
  const parsed: ParsedImage = colon > rest.lastIndexOf("/") ? { name: rest.slice(0, colon), tag: rest.slice(colon + 1) } : { name: rest };
  if (digest !== undefined) parsed.digest = digest;
  return parsed;
}

// OCI allows sha512 too; both are content addresses, so both are immutable.
const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

type Verdict = { ok: true } | { ok: false; kind: "invalid" | "mutable" | "tag"; reason: string };

const patterns = new Map<string, RegExp | undefined>();
function compiled(source: string): RegExp | undefined {
  if (!patterns.has(source)) {
    try {
      patterns.set(source, new RegExp(source));
    } catch {
      patterns.set(source, undefined);
    }
  }
  return patterns.get(source);
}

function inspect(image: string, policy: ImagePolicy): Verdict {
  const ref = parseImage(image);
  // Malformed references fail whatever the policy: they cannot be pulled at all.
  if (!ref.name) return { ok: false, kind: "invalid", reason: "is not a valid image reference (no name)" };
  if (ref.tag === "") return { ok: false, kind: "invalid", reason: "is not a valid image reference (empty tag)" };
  if (ref.digest !== undefined) {
    if (DIGEST.test(ref.digest)) return { ok: true }; // the tag, if any, is ignored by the runtime
    return { ok: false, kind: "invalid", reason: "has a malformed digest; use @sha256: followed by 64 lowercase hex digits" };
  }
  if (policy.allowMutable) return { ok: true };
  const pin = `pin a version tag matching ${policy.allowedTags} or a digest`;
  if (ref.tag === undefined) return { ok: false, kind: "mutable", reason: `is mutable (no tag means "latest"); ${pin}` };
  if (ref.tag === "latest") return { ok: false, kind: "mutable", reason: `is mutable; ${pin}` };
  const re = compiled(policy.allowedTags);
  if (!re) return { ok: false, kind: "tag", reason: `cannot be checked: images.allowedTags ${policy.allowedTags} is not a valid regular expression` };
  if (re.test(ref.tag)) return { ok: true };
  return { ok: false, kind: "tag", reason: `has tag "${plain(ref.tag, 80)}", which does not match ${policy.allowedTags}; ${pin}` };
}

/** Whether an image reference is allowed; `reason` continues a sentence that names the image. */
export function classifyImage(image: string, policy: ImagePolicy): { ok: true } | { ok: false; reason: string } {
  const verdict = inspect(image, policy);
  return verdict.ok ? verdict : { ok: false, reason: verdict.reason };
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function at(obj: unknown, path: string[]): Record<string, unknown> | undefined {
  let node = record(obj);
  for (const key of path) node = record(node?.[key]);
  return node;
}

/** The pod spec of a Pod, a CronJob's job template, or any kind with spec.template (workloads, Argo Rollouts…). */
function podSpecOf(obj: KubeObject): Record<string, unknown> | undefined {
  const group = groupOf(obj.apiVersion);
  if (obj.kind === "Pod" && group === "") return at(obj, ["spec"]);
  if (obj.kind === "CronJob" && group === "batch") return at(obj, ["spec", "jobTemplate", "spec", "template", "spec"]);
  return at(obj, ["spec", "template", "spec"]);
}

/** Images of every container, init container and ephemeral container of the object's pod spec. */
export function imagesOf(obj: KubeObject): Array<{ container: string; image: string }> {
  const spec = podSpecOf(obj);
  if (!spec) return [];
  const out: Array<{ container: string; image: string }> = [];
  for (const field of ["containers", "initContainers", "ephemeralContainers"]) {
    const list = spec[field];
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      const c = record(item);
      if (c && typeof c.image === "string") out.push({ container: typeof c.name === "string" ? c.name : "", image: c.image });
    }
  }
  return out;
}

const SHORT: Record<"invalid" | "mutable" | "tag", string> = { invalid: "invalid image", mutable: "mutable image", tag: "image tag not allowed:" };

/** One condition per offending image (or one "all pinned" when none). */
export function imageConditions(images: ImageRef[], policy: ImagePolicy): Condition[] {
  const rule = "images";
  const failures: Condition[] = [];
  const seen = new Set<string>();
  for (const ref of images) {
    const key = `${ref.object}\u0000${ref.container}\u0000${ref.image}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const verdict = inspect(ref.image, policy);
    if (verdict.ok) continue;
    const where = ref.file ? `, ${plain(ref.file, 200)}${ref.line ? `:${ref.line}` : ""}` : "";
    failures.push({
      rule,
      ok: false,
      short: `${SHORT[verdict.kind]} ${plain(ref.image, 80)}`,
      text: `image "${plain(ref.image)}" in ${plain(ref.object)} (container ${plain(ref.container, 100)}${where}) ${verdict.reason}`,
    });
  }
  if (failures.length) return failures;
  const text = images.length === 0 ? "no image to check" : policy.allowMutable ? "images allowed (allowMutable)" : "every image is pinned";
  return [{ rule, ok: true, short: "", text }];
}
