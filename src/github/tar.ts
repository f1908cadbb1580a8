// A minimal, defensive tar reader for GitHub's repository tarballs: regular
// files only. Symlinks, hardlinks, devices and any path that is absolute or
// climbs out with ".." are refused and reported, never written. Sizes are
// bounded so a hostile archive cannot exhaust memory or disk.

export interface TarFile {
  path: string; // with GitHub's top directory ("owner-repo-sha/") removed
  data: Buffer;
}

export interface TarRefusal {
  path: string;
  reason: string;
}

export interface TarLimits {
  maxFileBytes: number;
  maxTotalBytes: number;
  maxEntries: number;
}

export const DEFAULT_TAR_LIMITS: TarLimits = { maxFileBytes: 16 << 20, maxTotalBytes: 512 << 20, maxEntries: 100_000 };

export class TarLimitError extends Error {}

export function readTar(buf: Buffer, limits: TarLimits = DEFAULT_TAR_LIMITS): { files: TarFile[]; refused: TarRefusal[] } {
  const files: TarFile[] = [];
  const refused: TarRefusal[] = [];
  let offset = 0;
  let total = 0;
  let entries = 0;
  let longName: string | undefined;
  let paxPath: string | undefined;
  while (offset + 512 <= buf.length) {
    const header = buf.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break; // end-of-archive marker
    if (++entries > limits.maxEntries) throw new TarLimitError(`archive has more than ${limits.maxEntries} entries`);
    const size = parseOctal(header.subarray(124, 136));
    const type = String.fromCharCode(header[156] || 48);
    const body = buf.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === "g") continue; // pax global header (GitHub puts the commit id there)
    if (type === "x") {
      paxPath = parsePax(body).path;
      continue;
    }
    if (type === "L") {
      longName = body.toString("utf8").replace(/\0+$/, "");
      continue;
    }
    const name = paxPath ?? longName ?? headerName(header);
    paxPath = longName = undefined;
    const path = stripTop(name);
    if (type === "5" || path === "") continue; // directories are implied by files
    const problem = unsafePath(path) ?? (type === "0" || type === "\0" || type === "7" ? undefined : describeType(type, header));
    if (problem) {
      refused.push({ path, reason: problem });
      continue;
    }
    if (size > limits.maxFileBytes) {
      refused.push({ path, reason: `file is ${size} bytes, over the ${limits.maxFileBytes}-byte limit` });
      continue;
    }
    total += size;
    if (total > limits.maxTotalBytes) throw new TarLimitError(`archive content exceeds ${limits.maxTotalBytes} bytes`);
    files.push({ path, data: Buffer.from(body) });
  }
  return { files, refused };
}

function headerName(h: Buffer): string {
  const name = cstr(h.subarray(0, 100));
  const prefix = h.subarray(257, 263).toString("latin1").startsWith("ustar") ? cstr(h.subarray(345, 500)) : "";
  return prefix ? `${prefix}/${name}` : name;
}

function cstr(b: Buffer): string {
  const end = b.indexOf(0);
  return b.subarray(0, end === -1 ? b.length : end).toString("utf8");
}

function parseOctal(b: Buffer): number {
  if (b[0]! & 0x80) throw new TarLimitError("tar entry uses base-256 size (over 8 GiB): refused");
  const text = cstr(b).trim();
  return text ? parseInt(text, 8) : 0;
}

function parsePax(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < body.length) {
    const space = body.indexOf(0x20, i);
    if (space === -1) break;
    const len = parseInt(body.subarray(i, space).toString("latin1"), 10);
    if (!len) break;
    const record = body.subarray(space + 1, i + len - 1).toString("utf8");
    const eq = record.indexOf("=");
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    i += len;
  }
  return out;
}

/** GitHub tarballs hold everything under one "owner-repo-sha/" directory. */
function stripTop(name: string): string {
  const slash = name.indexOf("/");
  return slash === -1 ? "" : name.slice(slash + 1).replace(/\/+$/, "");
}

function unsafePath(path: string): string | undefined {
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) return "absolute path in archive: refused";
  if (path.split("/").some((seg) => seg === "..")) return "path climbs out of the repository with '..': refused";
  if (path.includes("\0")) return "NUL byte in path: refused";
  return undefined;
}

function describeType(type: string, h: Buffer): string {
  if (type === "2") return `symlink to "${cstr(h.subarray(157, 257))}": Converge does not follow symlinks in repositories`;
  if (type === "1") return "hardlink: refused";
  return `unsupported tar entry type "${type}": refused`;
}
