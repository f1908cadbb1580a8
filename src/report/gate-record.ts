// What the approval gate needs from a preview, stored in GitHub itself (a
// hidden marker in the preview check run's summary) so that a review event
// can re-evaluate the gate without re-computing the diff, even after a
// restart. A parse/serialize pair that round-trips; no secrets inside (only
// object names, image references, danger sentences and error counts).
import type { Plan, PlanChange } from "../diff/plan.js";
import type { ImageRef } from "../policy/index.js";

export interface GateRecordEnv {
  name: string;
  previewSha: string;
  summary: Plan["summary"];
  errors: string[]; // messages, first few
  errorCount: number;
  dangerous: Array<Pick<PlanChange, "action" | "id" | "apiVersion" | "dangers">>;
  images: ImageRef[];
  liveObjectCount: number;
}

export interface GateRecord {
  headSha: string;
  environments: GateRecordEnv[];
}

const OPEN = "<!-- converge:gate ";
const CLOSE = " -->";
const MAX_IMAGES = 300;
const MAX_DANGEROUS = 200;

export function serializeGateRecord(record: GateRecord): string {
  const trimmed: GateRecord = {
    headSha: record.headSha,
    environments: record.environments.map((e) => ({
      ...e,
      errors: e.errors.slice(0, 5).map((m) => m.slice(0, 300)),
      dangerous: e.dangerous.slice(0, MAX_DANGEROUS),
      images: e.images.slice(0, MAX_IMAGES),
    })),
  };
  return `${OPEN}${Buffer.from(JSON.stringify(trimmed)).toString("base64")}${CLOSE}`;
}

export function parseGateRecord(text: string): GateRecord | undefined {
  const start = text.lastIndexOf(OPEN);
  if (start === -1) return undefined;
  const end = text.indexOf(CLOSE, start + OPEN.length);
  if (end === -1) return undefined;
  try {
    const value = JSON.parse(Buffer.from(text.slice(start + OPEN.length, end), "base64").toString("utf8")) as GateRecord;
    return typeof value.headSha === "string" && Array.isArray(value.environments) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function recordFromPlan(plan: Plan, previewSha: string, images: ImageRef[], liveObjectCount: number): GateRecordEnv {
  return {
    name: plan.environment,
    previewSha,
    summary: plan.summary,
    errors: plan.errors.map((e) => e.message),
    errorCount: plan.errors.length,
    dangerous: plan.changes.filter((c) => c.dangers.length || c.action === "delete").map(({ action, id, apiVersion, dangers }) => ({ action, id, apiVersion, dangers })),
    images: dedupeImages(images),
    liveObjectCount,
  };
}

/** The reduced plan the gate evaluates (errors and dangerous changes are all it reads). */
export function planFromRecord(env: GateRecordEnv): Plan {
  return {
    environment: env.name,
    summary: env.summary,
    changes: env.dangerous.map((d) => ({ ...d, diff: "" })),
    errors: Array.from({ length: env.errorCount }, (_, i) => ({ reason: "DryRunFailed" as const, message: env.errors[i] ?? "error" })),
    clientSideFallback: false,
  };
}

function dedupeImages(images: ImageRef[]): ImageRef[] {
  const seen = new Set<string>();
  return images.filter((i) => !seen.has(i.image) && seen.add(i.image));
}
