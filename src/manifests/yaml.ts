// Streaming YAML parsing with the limits a PR author must not be able to
// defeat: documents are composed one at a time (so a stream of 100,000 tiny
// documents stops at the limit instead of being parsed whole), aliases are
// bounded by yaml's maxAliasCount before expansion, and parser messages are
// stripped of source snippets (they could quote a Secret's value).
import { CST, Composer, LineCounter, Parser, isMap, isSeq, type YAMLError } from "yaml";

export interface YamlDoc {
  index: number; // 0-based document index in the stream
  line?: number; // 1-based line of the document's content
  value: unknown;
  /** Lines of `items` entries, for kinds ending in "List". */
  itemLines?: (number | undefined)[];
}

export interface YamlProblem {
  index: number;
  line?: number;
  message: string;
}

export interface YamlStream {
  docs: YamlDoc[];
  problems: YamlProblem[];
  /** Documents composed, empty ones included. */
  count: number;
  /** The stream held more than maxDocuments; parsing stopped there. */
  overLimit: boolean;
}

// merge: Kubernetes tooling (go-yaml) honours "<<" merge keys, so we do too.
const COMPOSE_OPTIONS = { merge: true, prettyErrors: false, uniqueKeys: true } as const;

export function parseYamlStream(text: string, maxAliases: number, maxDocuments: number): YamlStream {
  const lc = new LineCounter();
  const composer = new Composer(COMPOSE_OPTIONS);
  const lineAt = (offset: number | undefined): number | undefined =>
    offset === undefined || offset < 0 ? undefined : lc.linePos(offset).line;
  const out: YamlStream = { docs: [], problems: [], count: 0, overLimit: false };
  const markers = countDocumentMarkers(text, maxDocuments);
  if (markers > maxDocuments) {
    // Every "---" at the start of a line opens a document (it cannot occur
    // inside a scalar there), so this is a lower bound: reject unparsed.
    return { ...out, count: markers, overLimit: true };
  }
  // The parser's top-level tokens pass through here so that an error reported
  // at the end of the stream can be traced back to what was left open.
  let lastDoc: CST.Document | undefined;
  function* tokens(it: Iterable<CST.Token>): Generator<CST.Token> {
    for (const t of it) {
      if (t.type === "document") lastDoc = t;
      yield t;
    }
  }
  for (const doc of composer.compose(tokens(new Parser(lc.addNewLine).parse(text)))) {
    if (out.count >= maxDocuments) {
      out.overLimit = true;
      break;
    }
    const index = out.count++;
    const line = lineAt(doc.contents?.range?.[0] ?? doc.range?.[0]);
    if (doc.errors.length > 0) {
      // Only the first: later ones are usually the same mistake cascading.
      const err = doc.errors[0];
      // An unclosed quote or bracket is reported where the stream ends (past the
      // last line); point at where it was opened instead.
      const at = err.pos[0] >= text.length ? (unclosedOpener(lastDoc) ?? text.length - 1) : err.pos[0];
      out.problems.push({ index, line: lineAt(at) ?? line, message: `YAML syntax error: ${safeReason(err)}` });
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: maxAliases });
    } catch (err) {
      out.problems.push({ index, line, message: aliasReason(err, maxAliases) });
      continue;
    }
    if (value === null || value === undefined) continue;
    const parsed: YamlDoc = { index, line, value };
    if (isListValue(value) && isMap(doc.contents)) {
      const items = doc.contents.get("items", true);
      if (isSeq(items)) parsed.itemLines = items.items.map((n) => lineAt((n as { range?: number[] }).range?.[0]));
    }
    out.docs.push(parsed);
  }
  return out;
}

/** Offset of the first quote or flow bracket in `doc` that is never closed. */
function unclosedOpener(doc: CST.Document | undefined): number | undefined {
  let first: number | undefined;
  const check = (t: CST.Token | null | undefined): void => {
    if (!t) return;
    const open =
      (t.type === "flow-collection" && !t.end.some((e) => e.type === "flow-seq-end" || e.type === "flow-map-end")) ||
      (t.type === "double-quoted-scalar" && (t.source.length < 2 || !t.source.endsWith('"'))) ||
      (t.type === "single-quoted-scalar" && (t.source.length < 2 || !t.source.endsWith("'")));
    if (open && (first === undefined || t.offset < first)) first = t.offset;
  };
  if (!doc) return undefined;
  check(doc.value);
  CST.visit(doc, (item) => {
    check(item.key);
    check(item.value);
  });
  return first;
}

/** Lines starting with "---" (a document start), counting stops past `max`. */
function countDocumentMarkers(text: string, max: number): number {
  const re = /^---(?=[ \t\r\n]|$)/gm;
  let n = 0;
  while (re.exec(text) !== null && n <= max) n++;
  return n;
}

function isListValue(v: unknown): boolean {
  const kind = (v as { kind?: unknown } | null)?.kind;
  return typeof kind === "string" && kind.endsWith("List") && Array.isArray((v as { items?: unknown }).items);
}

/** The parser's reason without any quoted source text. */
export function safeReason(err: YAMLError): string {
  let msg = err.message.split("\n")[0];
  // The composer appends the offending token's source as JSON: drop it.
  msg = msg.replace(/: ".*$/, "");
  if (err.code === "BAD_DQ_ESCAPE") return "Invalid escape sequence in a double-quoted string";
  if (msg.startsWith("Block scalar header includes extra characters")) return "Block scalar header includes extra characters";
  return msg;
}

function aliasReason(err: unknown, maxAliases: number): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/excessive alias count/i.test(msg)) {
    return `YAML aliases would expand beyond the limit of ${maxAliases} (a "billion laughs" document?); not expanded`;
  }
  return `YAML error: ${msg.split("\n")[0]}`;
}
