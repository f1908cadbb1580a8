import { createHash } from "node:crypto";

// A real (if tiny) git object database: object ids are SHA-1 over
// `<type> <len>\0<payload>` exactly as git computes them, so SHAs the app sees
// here behave like real ones (content-addressed, stable across runs, and the
// same tree written twice gets the same id).

export type ObjType = "blob" | "tree" | "commit";
/** API spelling of modes: trees are "040000" (git writes "40000" on disk). */
export type Mode = "100644" | "100755" | "040000" | "120000" | "160000";

export interface TreeEntry { name: string; mode: Mode; sha: string }
export interface Person { name: string; email: string; date: string }
export interface CommitData { tree: string; parents: string[]; author: Person; committer: Person; message: string }
export interface Leaf { mode: Mode; sha: string }

interface Stored { type: ObjType; payload: Buffer; tree?: TreeEntry[]; commit?: CommitData }

export class ObjectStore {
  private objects = new Map<string, Stored>();

  has(sha: string): boolean { return this.objects.has(sha); }
  typeOf(sha: string): ObjType | undefined { return this.objects.get(sha)?.type; }
  blob(sha: string): Buffer | undefined { const o = this.objects.get(sha); return o?.type === "blob" ? o.payload : undefined; }
  tree(sha: string): TreeEntry[] | undefined { return this.objects.get(sha)?.tree; }
  commit(sha: string): CommitData | undefined { return this.objects.get(sha)?.commit; }
  /** Every blob's bytes, for scans (allText with blobs). */
  blobs(): Buffer[] { return [...this.objects.values()].flatMap((o) => (o.type === "blob" ? [o.payload] : [])); }
  /** Every commit, for scans (allText) – order is insertion order. */
  commits(): CommitData[] { return [...this.objects.values()].flatMap((o) => (o.commit ? [o.commit] : [])); }

  /** Short-SHA lookup like GitHub accepts in `/commits/{ref}` (unique prefix of ≥ 4 chars). */
  expand(prefix: string): string | undefined {
    if (!/^[0-9a-f]{4,40}$/.test(prefix)) return undefined;
    if (this.objects.has(prefix)) return prefix;
    const hits = [...this.objects.keys()].filter((k) => k.startsWith(prefix));
    return hits.length === 1 ? hits[0] : undefined;
  }

  writeBlob(content: Buffer): string {
    return this.put("blob", content, {});
  }

  writeTree(entries: TreeEntry[]): string {
    const sorted = [...entries].sort((a, b) => compareTreeNames(a, b));
    const parts = sorted.map((e) => Buffer.concat([
      Buffer.from(`${e.mode === "040000" ? "40000" : e.mode} ${e.name}\0`),
      Buffer.from(e.sha, "hex"),
    ]));
    return this.put("tree", Buffer.concat(parts), { tree: sorted });
  }

  writeCommit(c: CommitData): string {
    const lines = [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`),
      `author ${signature(c.author)}`, `committer ${signature(c.committer)}`, "", c.message];
    return this.put("commit", Buffer.from(lines.join("\n")), { commit: c });
  }

  /** All non-tree entries below a tree, keyed by full path. */
  flatten(treeSha: string, prefix = "", out = new Map<string, Leaf>()): Map<string, Leaf> {
    for (const e of this.tree(treeSha) ?? []) {
      const path = prefix + e.name;
      if (e.mode === "040000") this.flatten(e.sha, path + "/", out);
      else out.set(path, { mode: e.mode, sha: e.sha });
    }
    return out;
  }

  /** Inverse of flatten: writes the nested trees for a path → leaf map. */
  buildTree(leaves: Map<string, Leaf>): string {
    const here: TreeEntry[] = [];
    const dirs = new Map<string, Map<string, Leaf>>();
    for (const [path, leaf] of leaves) {
      const slash = path.indexOf("/");
      if (slash < 0) { here.push({ name: path, mode: leaf.mode, sha: leaf.sha }); continue; }
      const dir = path.slice(0, slash);
      if (!dirs.has(dir)) dirs.set(dir, new Map());
      dirs.get(dir)!.set(path.slice(slash + 1), leaf);
    }
    for (const [name, sub] of dirs) here.push({ name, mode: "040000", sha: this.buildTree(sub) });
    return this.writeTree(here);
  }

  /** Commits reachable from `sha` (inclusive), breadth-first, nearest first. */
  ancestors(sha: string): string[] {
    const seen = new Set<string>();
    const queue = [sha];
    while (queue.length) {
      const s = queue.shift()!;
      if (seen.has(s) || !this.commit(s)) continue;
      seen.add(s);
      queue.push(...this.commit(s)!.parents);
    }
    return [...seen];
  }

  isAncestor(ancestor: string, descendant: string): boolean {
    return this.ancestors(descendant).includes(ancestor);
  }

  mergeBase(a: string, b: string): string | undefined {
    const fromA = new Set(this.ancestors(a));
    return this.ancestors(b).find((s) => fromA.has(s));
  }

  /** Commits in head's history but not base's, oldest first (what `base...head` lists). */
  commitsBetween(base: string | undefined, head: string): string[] {
    const excluded = new Set(base ? this.ancestors(base) : []);
    return this.ancestors(head).filter((s) => !excluded.has(s)).reverse();
  }

  /** File-level three-way merge of two commits; conflicting paths are returned instead of a tree. */
  merge(ours: string, theirs: string): { tree: string } | { conflicts: string[] } {
    const base = this.mergeBase(ours, theirs);
    const flat = (c: string | undefined) => (c ? this.flatten(this.commit(c)!.tree) : new Map<string, Leaf>());
    const [b, o, t] = [flat(base), flat(ours), flat(theirs)];
    const key = (l: Leaf | undefined) => (l ? `${l.mode}:${l.sha}` : "");
    const result = new Map<string, Leaf>();
    const conflicts: string[] = [];
    for (const path of new Set([...b.keys(), ...o.keys(), ...t.keys()])) {
      const [kb, ko, kt] = [key(b.get(path)), key(o.get(path)), key(t.get(path))];
      const pick = ko === kt ? o.get(path) : kb === ko ? t.get(path) : kb === kt ? o.get(path) : null;
      if (pick === null) conflicts.push(path);
      else if (pick) result.set(path, pick);
    }
    return conflicts.length ? { conflicts } : { tree: this.buildTree(result) };
  }

  private put(type: ObjType, payload: Buffer, parsed: { tree?: TreeEntry[]; commit?: CommitData }): string {
    const header = Buffer.from(`${type} ${payload.length}\0`);
    const sha = createHash("sha1").update(header).update(payload).digest("hex");
    if (!this.objects.has(sha)) this.objects.set(sha, { type, payload, ...parsed });
    return sha;
  }
}

/** git sorts tree entries by name, comparing a directory as if its name ended in "/". */
function compareTreeNames(a: TreeEntry, b: TreeEntry): number {
  const ka = Buffer.from(a.mode === "040000" ? a.name + "/" : a.name);
  const kb = Buffer.from(b.mode === "040000" ? b.name + "/" : b.name);
  return Buffer.compare(ka, kb);
}

function signature(p: Person): string {
  const seconds = Math.floor(Date.parse(p.date) / 1000);
  return `${p.name} <${p.email}> ${seconds} +0000`;
}
