// .github/converge.yml from the DEFAULT branch only: a PR must not be able to
// change the policy that approves it. Fetched with an ETag so an unchanged
// file costs a 304, which GitHub does not count against the rate limit.
import { parseConfig, ConfigError, DEFAULT_CONFIG_FILE, type RepoConfig } from "../config/index.js";
import type { GitHub, RepoRef } from "./types.js";
import { conditionalGet } from "./conditional.js";

export type ConfigResult = { kind: "missing" } | { kind: "invalid"; error: ConfigError } | { kind: "ok"; config: RepoConfig };

export async function readRepoConfig(gh: GitHub, repo: RepoRef, defaultBranch: string): Promise<ConfigResult> {
  const text = await readFileOnBranch(gh, repo, DEFAULT_CONFIG_FILE, defaultBranch);
  if (text === undefined) return { kind: "missing" };
  try {
    return { kind: "ok", config: parseConfig(text, DEFAULT_CONFIG_FILE) };
  } catch (err) {
    if (err instanceof ConfigError) return { kind: "invalid", error: err };
    throw err;
  }
}

async function readFileOnBranch(gh: GitHub, repo: RepoRef, path: string, ref: string): Promise<string | undefined> {
  const data = await conditionalGet<{ type?: string; content?: string; encoding?: string }>(gh, "GET /repos/{owner}/{repo}/contents/{path}", { ...repo, path, ref });
  if (data?.type !== "file" || data.content === undefined) return undefined;
  return Buffer.from(data.content, (data.encoding as BufferEncoding) || "base64").toString("utf8");
}
