// The loader: resolve the environment path, render (plain tree or
// kustomize), parse, validate, default namespaces, find duplicates. Every
// problem becomes a ManifestError value so one bad file never hides another.
import { parseCached } from "./cache.js";
import { findKustomization } from "./kustomize-refs.js";
import { renderKustomize } from "./kustomize.js";
import { describeId, idKey, idOf, type DesiredObject, type SourceRef } from "./object.js";
import { resolveEnvPath, shown, type EnvPath } from "./paths.js";
import { formatBytes, isYamlName, listManifestFiles, readInOrder } from "./plain.js";
import { applyNamespaces } from "./scope.js";
import { DEFAULT_LIMITS, type LoadOptions, type LoadResult, type ManifestError, type ManifestLimits } from "./types.js";
import { checkObject } from "./validate.js";
import type { YamlDoc } from "./yaml.js";

interface Acc {
  limits: ManifestLimits;
  objects: DesiredObject[];
  errors: ManifestError[];
  documents: number;
  /** A global limit was hit: load nothing more. */
  stopped: boolean;
}

/**
 * Loads the desired objects of one environment from a checkout.
 *
 * All problems are collected (one bad file does not stop the others) and
 * returned in `errors`; `objects` then holds only what was valid. A caller
 * must NOT apply (or prune!) when `errors` is non-empty: the object set is
 * incomplete, and pruning would delete whatever is missing from it.
 */
export async function loadManifests(opts: LoadOptions): Promise<LoadResult> {
  const limits: ManifestLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const acc: Acc = { limits, objects: [], errors: [], documents: 0, stopped: false };
  const env = await resolveEnvPath(opts.root, opts.path);
  if (!("realRoot" in env)) return { objects: [], errors: [env], renderer: "plain", inputs: [] };
  const kfile = env.isDirectory ? await findKustomization(env.abs) : undefined;
  let result: LoadResult;
  if (kfile) {
    const rendered = await renderKustomize(env, kfile, opts.root, limits);
    acc.errors.push(...rendered.errors);
    if (rendered.text !== undefined) addStream(acc, rendered.text, env.rel === "" ? kfile : `${env.rel}/${kfile}`, false);
    result = { objects: acc.objects, errors: acc.errors, renderer: "kustomize", inputs: rendered.inputs };
  } else {
    result = { objects: acc.objects, errors: acc.errors, renderer: "plain", inputs: await loadPlain(acc, env) };
  }
  if (acc.stopped) return { ...result, objects: [] };
  applyNamespaces(acc.objects, opts.defaultNamespace, opts.namespacedKind);
  result.objects = dropDuplicates(acc.objects, acc.errors);
  return result;
}

async function loadPlain(acc: Acc, env: EnvPath): Promise<string[]> {
  let files: { rel: string; abs: string }[];
  if (env.isDirectory) {
    const list = await listManifestFiles(env.abs, env.rel, acc.limits.maxFiles);
    acc.errors.push(...list.errors);
    if (list.overLimit) {
      acc.stopped = true;
      return [];
    }
    files = list.files;
  } else if (isYamlName(env.rel)) {
    files = [{ rel: env.rel, abs: env.abs }];
  } else {
    acc.errors.push({ file: env.rel, message: `environment path "${shown(env.rel)}" is a file but not a .yaml/.yml manifest`, reason: "ManifestInvalid" });
    return [];
  }
  let bytes = 0;
  for await (const { rel, read } of readInOrder(files, acc.limits.maxFileBytes)) {
    if ("error" in read) {
      acc.errors.push(read.error);
      continue;
    }
    bytes += read.size;
    if (bytes > acc.limits.maxTotalBytes) {
      const message = `manifests add up to more than ${formatBytes(acc.limits.maxTotalBytes)} (limit); stopped loading at "${rel}"`;
      acc.errors.push({ file: rel, message, reason: "ManifestInvalid" });
      acc.stopped = true;
    }
    if (acc.stopped) break; // (also set by the document limit)
    addStream(acc, read.text, rel, true);
  }
  return files.map((f) => f.rel);
}

/** Parses one YAML stream (a file, or kustomize's output) into acc. */
function addStream(acc: Acc, text: string, file: string, withLines: boolean): void {
  const parsed = parseCached(text, acc.limits.maxAliases, acc.limits.maxDocuments - acc.documents);
  acc.documents += parsed.count;
  for (const p of parsed.problems) acc.errors.push(withLine({ file, message: p.message, reason: "ManifestInvalid" }, withLines ? p.line : undefined));
  for (const doc of parsed.docs) addDocument(acc, doc, file, withLines);
  if (parsed.overLimit) {
    acc.errors.push({ file, message: `more than ${acc.limits.maxDocuments} YAML documents in total (limit); stopped loading at "${file}"`, reason: "ManifestInvalid" });
    acc.stopped = true;
  }
}

function addDocument(acc: Acc, doc: YamlDoc, file: string, withLines: boolean): void {
  // Rendered output has no useful line numbers: name the document instead.
  const prefix = withLines ? "" : `rendered document ${doc.index + 1}: `;
  for (const part of expandList(doc)) {
    const line = withLines ? part.line : undefined;
    const checked = checkObject(part.value, { file, line, label: prefix + part.label });
    if (Array.isArray(checked)) {
      acc.errors.push(...checked);
      continue;
    }
    const source: SourceRef = { file, doc: doc.index };
    if (line !== undefined) source.line = line;
    acc.objects.push({ object: checked, source });
  }
}

/** A `*List` with items becomes its items; each keeps its own line. */
function expandList(doc: YamlDoc): { value: unknown; line?: number; label: string }[] {
  const v = doc.value as { apiVersion?: unknown; kind?: unknown; items?: unknown };
  if (!doc.itemLines || !Array.isArray(v.items)) return [{ value: doc.value, line: doc.line, label: "" }];
  const kind = v.kind as string;
  return v.items.map((item, i) => ({ value: inheritType(item, v.apiVersion, kind), line: doc.itemLines?.[i] ?? doc.line, label: `items[${i}]: ` }));
}

// Items of a typed list (ConfigMapList) may omit their apiVersion and kind.
function inheritType(item: unknown, apiVersion: unknown, listKind: string): unknown {
  if (listKind === "List" || typeof item !== "object" || item === null || Array.isArray(item)) return item;
  const o = item as Record<string, unknown>;
  if (o.apiVersion === undefined && typeof apiVersion === "string") o.apiVersion = apiVersion;
  if (o.kind === undefined) o.kind = listKind.slice(0, -"List".length);
  return o;
}

function dropDuplicates(objects: DesiredObject[], errors: ManifestError[]): DesiredObject[] {
  const seen = new Map<string, DesiredObject>();
  const kept: DesiredObject[] = [];
  for (const o of objects) {
    const id = idOf(o.object);
    const first = seen.get(idKey(id));
    if (!first) {
      seen.set(idKey(id), o);
      kept.push(o);
      continue;
    }
    const err: ManifestError = { file: o.source.file, message: `${describeId(id)} is defined twice: in ${where(first.source)} and in ${where(o.source)}`, reason: "ManifestInvalid" };
    errors.push(withLine(err, o.source.line));
  }
  return kept;
}

function where(s: SourceRef): string {
  if (s.line !== undefined) return `${s.file}:${s.line}`;
  return s.doc !== undefined ? `${s.file} (document ${s.doc + 1})` : s.file;
}

function withLine(e: ManifestError, line: number | undefined): ManifestError {
  if (line !== undefined) e.line = line;
  return e;
}
