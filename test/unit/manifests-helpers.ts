// Shared helpers for the manifests tests (not a test file itself).
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { LoadResult } from "../../src/manifests/index.js";

export const FIXTURES = fileURLToPath(new URL("../fixtures/manifests/", import.meta.url));

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

/** A scratch directory, removed by the returned cleanup. */
export async function scratch(copyOf?: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "converge-manifests-"));
  if (copyOf) await cp(fixture(copyOf), path.join(dir, "repo"), { recursive: true });
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** "Kind ns/name" lines, in load order: compact assertions. */
export function ids(r: LoadResult): string[] {
  return r.objects.map(({ object: o }) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`);
}
