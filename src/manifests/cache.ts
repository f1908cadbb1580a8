// Parsed files by content hash. The agent loads the same environment again
// and again (every push of every PR, every drift check), and between two
// loads most files are byte-identical; yaml's parser is the loader's main
// cost (~2-3 MB/s), so unchanged files are not parsed twice. Bounded by the
// source bytes it covers; values are cloned out so callers may mutate them.
import { createHash } from "node:crypto";
import { parseYamlStream, type YamlStream } from "./yaml.js";

const MAX_CACHED_BYTES = 16 * 1024 * 1024;
const entries = new Map<string, { stream: YamlStream; bytes: number }>();
let cachedBytes = 0;

export function parseCached(text: string, maxAliases: number, maxDocuments: number): YamlStream {
  const key = `${maxAliases}:${createHash("sha256").update(text).digest("base64")}`;
  const hit = entries.get(key);
  if (hit && hit.stream.count <= maxDocuments) {
    entries.delete(key); // re-insert: most recently used last
    entries.set(key, hit);
    return cloneStream(hit.stream);
  }
  const stream = parseYamlStream(text, maxAliases, maxDocuments);
  const bytes = Buffer.byteLength(text);
  if (stream.overLimit || bytes > MAX_CACHED_BYTES / 4) return stream;
  entries.set(key, { stream: cloneStream(stream), bytes });
  cachedBytes += bytes;
  for (const [k, e] of entries) {
    if (cachedBytes <= MAX_CACHED_BYTES) break;
    entries.delete(k);
    cachedBytes -= e.bytes;
  }
  return stream;
}

/** Forget everything (tests and benchmarks measuring a cold load). */
export function clearParseCache(): void {
  entries.clear();
  cachedBytes = 0;
}

function cloneStream(s: YamlStream): YamlStream {
  return { ...s, docs: s.docs.map((d) => ({ ...d, value: structuredClone(d.value) })) };
}
