// One object, one text: diffs compare these, so equal objects must print
// byte-identically whatever order their keys arrived in. The output is exactly
// what yaml's stringify prints (a test holds the two together); the walk below
// only saves its cost on the plain names, numbers and maps that make up nearly
// all of an object, and hands every other scalar to yaml itself.
import { stringify } from "yaml";
import { sortedCopy } from "./equal.js";

const HEAD = ["apiVersion", "kind", "metadata"];
// lineWidth 0: never fold long strings (a folded line diffs as several).
// aliasDuplicateObjects false: a shared subtree must print in full, not as *a1.
const OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false } as const;

/** Strings yaml prints bare for sure; anything else (spaces, quotes, "yes", "1.0") yaml decides. */
const SAFE_PLAIN = /^[A-Za-z_/][\w./@+=-]*(?::[\w./@+=-]+)*$/;
const LOOKS_TYPED = /^(?:null|true|false|yes|no|on|off|y|n)$/i;

class Unusual extends Error {}

function isMap(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new Unusual(); // Date, Map…: yaml's job
  return true;
}

/** A scalar as yaml prints it as a map value at `column` (block scalars re-indented). */
function scalar(value: unknown, column: number): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number" && Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
  if (typeof value === "string" && SAFE_PLAIN.test(value) && !LOOKS_TYPED.test(value)) return value;
  if (typeof value !== "string" && typeof value !== "number") throw new Unusual();
  const text = stringify({ k: value }, OPTIONS).slice(3, -1); // "k: <scalar>\n"
  return column ? text.replace(/\n(?=.)/g, `\n${" ".repeat(column)}`) : text;
}

function key(name: string): string {
  if (SAFE_PLAIN.test(name) && !LOOKS_TYPED.test(name)) return name;
  if (name.includes("\n") || name.length > 1000) throw new Unusual(); // explicit "? key" syntax
  return stringify({ [name]: 1 }, OPTIONS).slice(0, -4); // "<key>: 1\n"
}

function isEmpty(value: unknown): boolean {
  return Array.isArray(value) ? value.length === 0 : isMap(value) && Object.keys(value).length === 0;
}

function emitMap(map: Record<string, unknown>, indent: number, lines: string[], first = " ".repeat(indent)): void {
  let prefix = first;
  for (const [name, value] of Object.entries(map)) {
    if (value === undefined) continue;
    const head = `${prefix}${key(name)}:`;
    prefix = " ".repeat(indent);
    if (isEmpty(value)) {
      lines.push(`${head} ${Array.isArray(value) ? "[]" : "{}"}`);
    } else if (Array.isArray(value)) {
      lines.push(head);
      emitList(value, indent + 2, lines);
    } else if (isMap(value)) {
      lines.push(head);
      emitMap(value, indent + 2, lines);
    } else {
      lines.push(`${head} ${scalar(value, indent)}`);
    }
  }
}

function emitList(list: unknown[], indent: number, lines: string[], first = " ".repeat(indent)): void {
  let pad = first;
  for (const item of list) {
    const dash = `${pad}- `;
    pad = " ".repeat(indent);
    if (isEmpty(item)) lines.push(`${dash}${Array.isArray(item) ? "[]" : "{}"}`);
    else if (Array.isArray(item)) emitList(item, indent + 2, lines, dash);
    else if (isMap(item)) emitMap(item, indent + 2, lines, dash);
    else lines.push(`${dash}${scalar(item, indent)}`);
  }
}

export function toCanonicalYaml(obj: object): string {
  const sorted = sortedCopy(obj) as Record<string, unknown>;
  // kubectl's order: identity first, then the rest alphabetically.
  const ordered: Record<string, unknown> = {};
  for (const name of HEAD) if (name in sorted) ordered[name] = sorted[name];
  for (const name of Object.keys(sorted)) if (!HEAD.includes(name)) ordered[name] = sorted[name];
  try {
    if (isEmpty(ordered)) return "{}\n";
    const lines: string[] = [];
    emitMap(ordered, 0, lines);
    return lines.join("\n") + "\n";
  } catch (error) {
    if (!(error instanceof Unusual)) throw error;
    return stringify(ordered, OPTIONS);
  }
}
