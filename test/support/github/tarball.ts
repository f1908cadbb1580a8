import { gzipSync } from "node:zlib";
import { notFound } from "./http.js";
import type { Route } from "./router.js";
import type { RepoRec, State, TarExtra } from "./state.js";

// Tarballs in the layout GitHub serves (it runs `git archive`): a pax global
// header carrying the commit id, then "{owner}-{repo}-{sha7}/" and the tree in
// git order. Extra hostile entries (symlinks out of the tree, `..` paths) can be
// injected per commit to test that the app extracts safely.

export interface TarEntry {
  name: string;
  type: "file" | "dir" | "symlink" | "hardlink" | "global";
  mode: number;
  mtime: number;
  content?: Buffer;
  linkname?: string;
}

const TYPEFLAG: Record<TarEntry["type"] | "pax", string> = { file: "0", hardlink: "1", symlink: "2", dir: "5", global: "g", pax: "x" };

/** ustar writer; names or link targets over 100 bytes get a pax extended header like git archive writes. */
export function tar(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const pax: string[] = [];
    if (Buffer.byteLength(e.name) > 100) pax.push(paxRecord("path", e.name));
    if (e.linkname && Buffer.byteLength(e.linkname) > 100) pax.push(paxRecord("linkpath", e.linkname));
    if (pax.length) {
      const body = Buffer.from(pax.join(""));
      blocks.push(header("PaxHeader/" + e.name.slice(-80), "pax", 0o644, e.mtime, body.length, ""), pad(body));
    }
    const content = e.content ?? Buffer.alloc(0);
    blocks.push(header(e.name, e.type, e.mode, e.mtime, content.length, e.linkname ?? ""));
    if (content.length) blocks.push(pad(content));
  }
  blocks.push(Buffer.alloc(1024));
  const total = blocks.reduce((n, b) => n + b.length, 0);
  // git archive pads the archive to a whole 10 KiB record.
  blocks.push(Buffer.alloc((10240 - (total % 10240)) % 10240));
  return Buffer.concat(blocks);
}

/** "<len> key=value\n" where len counts its own digits. */
export function paxRecord(key: string, value: string): string {
  const base = Buffer.byteLength(` ${key}=${value}\n`);
  let len = base + String(base).length;
  if (String(len).length !== String(base).length) len = base + String(len).length;
  return `${len} ${key}=${value}\n`;
}

function header(name: string, type: TarEntry["type"] | "pax", mode: number, mtime: number, size: number, linkname: string): Buffer {
  const h = Buffer.alloc(512);
  const put = (value: string, offset: number, len: number) => h.write(value, offset, Math.min(len, Buffer.byteLength(value)), "utf8");
  const octal = (n: number, len: number) => n.toString(8).padStart(len - 1, "0") + "\0";
  put(name.slice(0, 100), 0, 100);
  put(octal(mode, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(mtime, 12), 136, 12);
  put("        ", 148, 8);
  put(TYPEFLAG[type], 156, 1);
  put(linkname.slice(0, 100), 157, 100);
  put("ustar\0", 257, 6);
  put("00", 263, 2);
  put("root", 265, 32);
  put("root", 297, 32);
  let sum = 0;
  for (const b of h) sum += b;
  put(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8);
  return h;
}

function pad(b: Buffer): Buffer {
  const rest = b.length % 512;
  return rest ? Buffer.concat([b, Buffer.alloc(512 - rest)]) : b;
}

/** The archive GitHub would serve for `sha`, plus any injected extra entries. */
export function repoTarball(s: State, r: RepoRec, sha: string): { name: string; data: Buffer } {
  const commit = r.objects.commit(sha)!;
  const mtime = Math.floor(Date.parse(commit.committer.date) / 1000);
  const top = `${r.owner}-${r.name}-${sha.slice(0, 7)}`;
  const entries: TarEntry[] = [
    { name: "pax_global_header", type: "global", mode: 0o666, mtime, content: Buffer.from(paxRecord("comment", sha)) },
    { name: `${top}/`, type: "dir", mode: 0o775, mtime },
  ];
  const walk = (tree: string, prefix: string) => {
    for (const e of r.objects.tree(tree) ?? []) {
      const path = `${prefix}${e.name}`;
      if (e.mode === "040000") { entries.push({ name: `${path}/`, type: "dir", mode: 0o775, mtime }); walk(e.sha, `${path}/`); }
      else if (e.mode === "120000") entries.push({ name: path, type: "symlink", mode: 0o777, mtime, linkname: r.objects.blob(e.sha)!.toString("utf8") });
      else if (e.mode === "160000") entries.push({ name: `${path}/`, type: "dir", mode: 0o775, mtime });
      else entries.push({ name: path, type: "file", mode: e.mode === "100755" ? 0o775 : 0o664, mtime, content: r.objects.blob(e.sha)! });
    }
  };
  walk(commit.tree, `${top}/`);
  for (const x of r.tarExtras.get(sha) ?? []) entries.push(extraEntry(x, top, mtime));
  return { name: `${top}.tar.gz`, data: gzipSync(tar(entries)) };
}

function extraEntry(x: TarExtra, top: string, mtime: number): TarEntry {
  const name = x.raw ? x.path : `${top}/${x.path}`;
  if (x.type === "dir") return { name: name.endsWith("/") ? name : `${name}/`, type: "dir", mode: 0o775, mtime };
  if (x.type === "file") return { name, type: "file", mode: 0o664, mtime, content: Buffer.from(x.content ?? "") };
  return { name, type: x.type, mode: 0o777, mtime, linkname: x.target ?? "" };
}

// GHES serves archives from /_codeload/… with a short-lived token in the query, no Authorization header.
export const tarballRoutes: Route[] = [
  { method: "GET", path: "/_codeload/{owner}/{repo}/legacy.tar.gz/{ref*}", auth: "none", handler: ({ s, params, req }) => {
    const key = `${params.owner}/${params.repo}`.toLowerCase();
    const token = req.query.get("token");
    const r = s.repo(key);
    if (!r || !token || s.tarballTokens.get(token) !== key) return { status: 404, body: "404: Not Found" };
    const sha = s.resolve(r, params.ref || r.defaultBranch);
    if (!sha) return notFound();
    const { name, data } = repoTarball(s, r, sha);
    return { status: 200, raw: data, headers: { "content-type": "application/x-gzip", "content-disposition": `attachment; filename=${name}`, etag: `"${sha}"` } };
  } },
];
