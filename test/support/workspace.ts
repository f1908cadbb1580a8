// Temporary copies of fixture repositories that a test may edit freely.
import { cp, mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const FIXTURE_REPOS = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "repos");

export interface Workspace {
  root: string;
  write(path: string, text: string): Promise<void>;
  read(path: string): Promise<string>;
  remove(path: string): Promise<void>;
  edit(path: string, fn: (text: string) => string): Promise<void>;
  dispose(): Promise<void>;
}

export async function workspace(fixture: string): Promise<Workspace> {
  const root = await mkdtemp(join(tmpdir(), "converge-ws-"));
  await cp(join(FIXTURE_REPOS, fixture), root, { recursive: true });
  return editable(root);
}

/** Writes a file map (e.g. the simulated GitHub's files at a commit) to a temp dir. */
export async function writeTree(files: Record<string, string>): Promise<Workspace> {
  const ws = editable(await mkdtemp(join(tmpdir(), "converge-tree-")));
  for (const [path, text] of Object.entries(files)) await ws.write(path, text);
  return ws;
}

function editable(root: string): Workspace {
  const at = (p: string) => join(root, p);
  return {
    root,
    async write(p, text) {
      await mkdir(dirname(at(p)), { recursive: true });
      await writeFile(at(p), text);
    },
    read: (p) => readFile(at(p), "utf8"),
    remove: (p) => rm(at(p), { force: true }),
    async edit(p, fn) {
      await writeFile(at(p), fn(await readFile(at(p), "utf8")));
    },
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}
