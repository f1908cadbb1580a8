// What the CLI learns from the local checkout: the repository name (so the
// ApplySet parent is the same one the bot uses), the commit, and whether the
// tree is clean under a path.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

async function git(dir: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run("git", ["-C", dir, ...args], { timeout: 10_000 });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/** owner/name from the "origin" remote (https or ssh GitHub-style URLs). */
export async function repositoryFromGit(dir: string): Promise<string | undefined> {
  const url = await git(dir, ["remote", "get-url", "origin"]);
  return url ? parseRemote(url) : undefined;
}

export function parseRemote(url: string): string | undefined {
  const m = /[:/]([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(url);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

export async function headCommit(dir: string): Promise<string | undefined> {
  return git(dir, ["rev-parse", "HEAD"]);
}

/** Paths under `path` with uncommitted or untracked changes ([] when clean). */
export async function dirtyPaths(dir: string, path: string): Promise<string[]> {
  const out = await git(dir, ["status", "--porcelain", "--untracked-files=all", "--", path]);
  return out ? out.split("\n").map((l) => l.slice(3)).filter(Boolean) : [];
}
