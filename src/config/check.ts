// Small typed readers shared by the repository config and the cluster
// registry. Each reads one value, reports what is wrong with it (never the
// value itself when it could be secret) and returns undefined when unusable,
// so validation goes on and every problem is reported in one pass.

import { MAX_ISSUES } from "./defaults.js";
import type { ConfigIssue } from "./errors.js";
import { fieldName, type Path } from "./path.js";
import { suggest } from "./suggest.js";
import type { Locate } from "./yaml.js";

export interface Ctx {
  file: string;
  issues: ConfigIssue[];
  locate?: Locate;
  dropped: number;
}

export function newCtx(file: string, locate?: Locate, issues: ConfigIssue[] = []): Ctx {
  return { file, issues, locate, dropped: 0 };
}

export function report(ctx: Ctx, path: Path, message: string): void {
  if (ctx.issues.length >= MAX_ISSUES) {
    ctx.dropped++;
    return;
  }
  const line = ctx.locate?.(path);
  const field = fieldName(path);
  ctx.issues.push(line === undefined ? { file: ctx.file, field, message } : { file: ctx.file, field, line, message });
}

/** Issues in file order (whole-file ones first), with a closing note when some were left out. */
export function finish(ctx: Ctx): ConfigIssue[] {
  const sorted = [...ctx.issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  if (ctx.dropped === 0) return sorted;
  return [...sorted, { file: ctx.file, field: "", message: `${ctx.dropped} more problems not shown` }];
}

export function describe(v: unknown): string {
  if (v === null || v === undefined) return "nothing";
  if (Array.isArray(v)) return "a list";
  if (v instanceof Map || typeof v === "object") return "a mapping";
  // Numbers and booleans are shown (never secret); strings are not (they could be).
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return `a ${typeof v}`;
}

/** Mappings from YAML are Maps; values handed over already parsed are plain objects. */
function asMap(v: unknown): Map<string, unknown> | undefined {
  if (v instanceof Map) return v as Map<string, unknown>;
  if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return undefined;
  return new Map(Object.entries(v as Record<string, unknown>));
}

/** A mapping whose keys must be among `known`; unknown keys are reported with a suggestion. */
export function mapping(
  ctx: Ctx,
  path: Path,
  v: unknown,
  known: readonly string[],
  what = "a mapping",
  unknownMessage?: (key: string) => string | undefined,
): Map<string, unknown> | undefined {
  const m = asMap(v);
  if (!m) {
    report(ctx, path, `must be ${what}, got ${describe(v)}`);
    return undefined;
  }
  for (const key of m.keys()) {
    if (known.includes(key)) continue;
    const special = unknownMessage?.(key);
    if (special) {
      report(ctx, [...path, key], special);
      continue;
    }
    const guess = suggest(key, known);
    report(ctx, [...path, key], guess ? `unknown field; did you mean ${guess}?` : `unknown field; expected one of ${known.join(", ")}`);
  }
  return m;
}

/** Keys of any mapping (environment and cluster names), no key check. */
export function entries(ctx: Ctx, path: Path, v: unknown, what: string): [string, unknown][] | undefined {
  const m = asMap(v);
  if (!m) report(ctx, path, `must be ${what}, got ${describe(v)}`);
  return m ? [...m.entries()] : undefined;
}

export type Reader<T> = (ctx: Ctx, path: Path, v: unknown) => T | undefined;

/** Read `key` of `m` with `read`; absent -> fallback; null ("key:" with nothing after) is reported. */
export function field<T>(ctx: Ctx, m: Map<string, unknown> | undefined, path: Path, key: string, read: Reader<T>, fallback: T): T {
  if (!m || !m.has(key)) return fallback;
  const p = [...path, key];
  const v = m.get(key);
  if (v === null || v === undefined) {
    report(ctx, p, "has no value; remove the line to use the default, or set a value");
    return fallback;
  }
  return read(ctx, p, v) ?? fallback;
}

/** Like field() but the key must be present; undefined when missing or invalid. */
export function required<T>(ctx: Ctx, m: Map<string, unknown> | undefined, path: Path, key: string, read: Reader<T>): T | undefined {
  if (!m) return undefined;
  const p = [...path, key];
  const v = m.get(key);
  if (v === null || v === undefined) {
    report(ctx, p, m.has(key) ? "has no value; it is required" : "is required");
    return undefined;
  }
  return read(ctx, p, v);
}

export const str: Reader<string> = (ctx, path, v) => {
  if (typeof v !== "string") return void report(ctx, path, `must be a string, got ${describe(v)}`);
  if (v.trim() === "") return void report(ctx, path, "must not be empty");
  return v;
};

const BOOLISH = ["yes", "no", "on", "off", "true", "false", "y", "n"];

export const bool: Reader<boolean> = (ctx, path, v) => {
  if (typeof v === "boolean") return v;
  const hint = typeof v === "string" && BOOLISH.includes(v.toLowerCase()) ? " (write true or false, without quotes)" : "";
  return void report(ctx, path, `must be true or false, got ${describe(v)}${hint}`);
};

/** A whole number in [min, max]; `unit` ("second") names what it counts in messages. */
export function int(min: number, max = Number.MAX_SAFE_INTEGER, unit = ""): Reader<number> {
  const of = (n: number) => (unit ? `${n} ${unit}${n === 1 ? "" : "s"}` : `${n}`);
  return (ctx, path, v) => {
    if (typeof v !== "number" || !Number.isInteger(v)) {
      return void report(ctx, path, `must be a whole number${unit ? ` of ${unit}s` : ""}, got ${describe(v)}`);
    }
    if (v < min) return void report(ctx, path, `must be at least ${of(min)}, got ${v}`);
    if (v > max) return void report(ctx, path, `must be at most ${of(max)}, got ${v}`);
    return v;
  };
}

export function num(min: number, max: number): Reader<number> {
  return (ctx, path, v) => {
    if (typeof v !== "number" || !Number.isFinite(v)) return void report(ctx, path, `must be a number, got ${describe(v)}`);
    if (v < min || v > max) return void report(ctx, path, `must be between ${min} and ${max}, got ${v}`);
    return v;
  };
}

export function oneOf<T extends string>(values: readonly T[]): Reader<T> {
  return (ctx, path, v) => {
    if (typeof v === "string" && (values as readonly string[]).includes(v)) return v as T;
    const got = typeof v === "string" ? (v.length <= 40 ? `"${v}"` : "a long string") : describe(v);
    const guess = typeof v === "string" ? suggest(v, values) : undefined;
    return void report(ctx, path, `must be one of ${values.join(", ")}, got ${got}${guess ? `; did you mean ${guess}?` : ""}`);
  };
}

/** A list whose items are read with `item`; invalid items are reported and dropped. */
export function list<T>(item: Reader<T>, opts: { nonEmpty?: boolean } = {}): Reader<T[]> {
  return (ctx, path, v) => {
    if (!Array.isArray(v)) return void report(ctx, path, `must be a list, got ${describe(v)}`);
    if (opts.nonEmpty && v.length === 0) return void report(ctx, path, "must not be empty");
    const out: T[] = [];
    v.forEach((x, i) => {
      const r = x === null || x === undefined ? void report(ctx, [...path, i], "is empty") : item(ctx, [...path, i], x);
      if (r !== undefined) out.push(r);
    });
    return out;
  };
}

/** A string that must match `re`; `rule` explains the format in words. */
export function matching(re: RegExp, rule: string, maxLength = Infinity): Reader<string> {
  return (ctx, path, v) => {
    const s = str(ctx, path, v);
    if (s === undefined) return undefined;
    if (s.length > maxLength) return void report(ctx, path, `must be at most ${maxLength} characters, got ${s.length}`);
    if (!re.test(s)) return void report(ctx, path, `"${s.length <= 80 ? s : s.slice(0, 80) + "…"}" ${rule}`);
    return s;
  };
}
