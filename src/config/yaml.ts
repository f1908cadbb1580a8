// Turns YAML text into plain data plus a way to find the line of any field.
// Safety first: the text is untrusted (any repository can push a config), so
// size and nesting are bounded before parsing, and aliases are rejected
// instead of expanded (an alias bomb is a few lines that expand to gigabytes).
// Mappings come out as Map<string, unknown> so file order survives (plain
// objects would move integer-like keys such as "2024" to the front).

import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import { MAX_CONFIG_BYTES, MAX_NESTING } from "./defaults.js";
import type { ConfigIssue } from "./errors.js";
import { fieldName, type Path } from "./path.js";

/** Line of the key (or list item) at `path`; falls back to the deepest ancestor found. */
export type Locate = (path: Path) => number | undefined;

export interface LoadedYaml {
  value: unknown;
  locate: Locate;
  /** Problems that do not stop validation (duplicate keys, unresolved tags). */
  issues: ConfigIssue[];
  /** Problems after which the data cannot be trusted (syntax, aliases, size). */
  fatal: boolean;
}

export function loadYaml(text: string, file: string): LoadedYaml {
  const none: Locate = () => undefined;
  const issue = (message: string, line?: number, field = ""): ConfigIssue =>
    line === undefined ? { file, field, message } : { file, field, line, message };

  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_CONFIG_BYTES) {
    const msg = `file is ${bytes} bytes; the limit is ${MAX_CONFIG_BYTES} (1 MiB)`;
    return { value: undefined, locate: none, issues: [issue(msg)], fatal: true };
  }
  const deep = tooDeepLine(text);
  if (deep !== undefined) {
    const msg = `nested deeper than ${MAX_NESTING} levels`;
    return { value: undefined, locate: none, issues: [issue(msg, deep)], fatal: true };
  }

  const lines = new LineCounter();
  // uniqueKeys off: we report duplicates ourselves, with both lines.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
  const lineAt = (offset: number | undefined) => (offset === undefined ? undefined : lines.linePos(offset).line);
  const locate: Locate = (path) => locateIn(doc.contents, path, lineAt);

  // No source excerpts in messages: a registry line could hold a secret.
  const syntax = doc.errors.map((e) => issue(e.message, lineAt(e.pos[0])));
  if (syntax.length > 0) return { value: undefined, locate, issues: syntax, fatal: true };
  const issues = doc.warnings.map((w) => issue(w.message, lineAt(w.pos[0])));

  const walk: Walk = {
    fatal: false,
    aliases: new Set(),
    lineOf: (node) => lineAt(node?.range?.[0]),
    report(path, node, message, fatal = false) {
      issues.push(issue(message, this.lineOf(node), fieldName(path)));
      if (fatal) this.fatal = true;
    },
  };
  const value = toValue(doc.contents, [], walk);
  return { value: walk.fatal ? undefined : value, locate, issues, fatal: walk.fatal };
}

interface Walk {
  fatal: boolean;
  aliases: Set<string>;
  lineOf(node: Node | undefined): number | undefined;
  report(path: Path, node: Node | undefined, message: string, fatal?: boolean): void;
}

function toValue(node: unknown, path: Path, walk: Walk): unknown {
  const report = walk.report.bind(walk);
  if (node === null || node === undefined) return null;
  if (isAlias(node)) {
    // Once per name: a bomb repeats the same alias thousands of times.
    if (!walk.aliases.has(node.source)) {
      walk.aliases.add(node.source);
      report(path, node, `YAML aliases (*${node.source}) are not allowed in configuration; write the value out instead of referring to &${node.source}`, true);
    }
    walk.fatal = true;
    return undefined;
  }
  const n = node as Node;
  if (path.length > MAX_NESTING) {
    report(path, n, `nested deeper than ${MAX_NESTING} levels`, true);
    return undefined;
  }
  if (isScalar(n)) return n.value;
  if (isSeq(n)) return n.items.map((item, i) => toValue(item, [...path, i], walk));
  if (!isMap(n)) return undefined;
  const out = new Map<string, unknown>();
  const seen = new Map<string, number | undefined>();
  for (const pair of n.items) {
    const key = pair.key;
    if (isAlias(key) || !isScalar(key) || key.value === null || typeof key.value === "object") {
      report(path, key as Node | undefined, "keys must be plain names", !isScalar(key));
      continue;
    }
    const name = String(key.value);
    if (seen.has(name)) {
      const first = seen.get(name);
      const where = first === undefined ? "" : ` (first defined on line ${first})`;
      report([...path, name], key, `duplicate key "${name}"${where}; a key may appear once`);
    } else {
      seen.set(name, walk.lineOf(key));
    }
    out.set(name, toValue(pair.value, [...path, name], walk));
  }
  return out;
}

function locateIn(root: unknown, path: Path, lineAt: (o: number | undefined) => number | undefined): number | undefined {
  let node = root as Node | null | undefined;
  let line = lineAt(node?.range?.[0]);
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return line;
      line = lineAt((pair.key as Node).range?.[0]) ?? line;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof seg === "number" && seg < node.items.length) {
      node = node.items[seg] as Node | null;
      line = lineAt(node?.range?.[0]) ?? line;
    } else {
      return line;
    }
  }
  return line;
}

/**
 * Line where nesting first exceeds the limit, judged from the text alone
 * because the parser itself is what we protect: a megabyte of "[" or of
 * "- - - -" costs it hundreds of MB. Brackets are counted everywhere, even in
 * strings: over-counting is harmless, under-counting is not.
 */
function tooDeepLine(text: string): number | undefined {
  let depth = 0;
  let line = 1;
  let indicators = 0; // "- ", "? ", ": " at the start of the current line
  let atLineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      indicators = 0;
      atLineStart = true;
      continue;
    }
    if (atLineStart && (c === 45 || c === 63 || c === 58) && isBlank(text.charCodeAt(i + 1))) {
      if (++indicators > MAX_NESTING) return line;
      continue;
    }
    if (!isBlank(c)) atLineStart = false;
    if (c === 91 || c === 123) {
      if (++depth > MAX_NESTING) return line;
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
  return undefined;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}
