// Format rules for single values of .github/converge.yml, kept apart from the
// shape of the file so each rule can be read (and tested) on its own.

import { posix } from "node:path";
import { matching, report, str, type Reader } from "./check.js";

export const ENVIRONMENT_NAME = /^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/;
/** Operator-chosen cluster names: like environment names, but case is the operator's choice. */
export const CLUSTER_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export const environmentName = matching(ENVIRONMENT_NAME, 'is not a valid environment name: use lower-case letters, digits, "-", "_" and ".", starting and ending with a letter or digit', 63);
export const clusterName = matching(CLUSTER_NAME, 'is not a valid cluster name: use letters, digits, "-", "_" and ".", starting and ending with a letter or digit', 253);
/** Kubernetes namespace names are DNS-1123 labels. */
export const namespaceName = matching(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'is not a valid namespace name: use lower-case letters, digits and "-", starting and ending with a letter or digit', 63);
/** GitHub labels are at most 50 characters. */
export const labelName = matching(/^\S(.*\S)?$/, "must not start or end with spaces or span lines", 50);

/** A directory inside the repository, normalised ("./a/b/" -> "a/b", root -> "."). */
export const repoPath: Reader<string> = (ctx, path, v) => {
  const s = str(ctx, path, v);
  if (s === undefined) return undefined;
  if (s.includes("\0")) return void report(ctx, path, "must not contain NUL characters");
  if (s.includes("\\")) return void report(ctx, path, 'must use "/" as the separator');
  if (s.startsWith("/") || /^[A-Za-z]:/.test(s)) return void report(ctx, path, `"${s}" is absolute; give a path relative to the repository root`);
  const n = posix.normalize(s).replace(/\/+$/, "") || ".";
  if (n === ".." || n.startsWith("../")) return void report(ctx, path, `"${s}" points outside the repository`);
  return n;
};

/** A branch name as git accepts it (simplified check-ref-format); "refs/heads/" is dropped. */
export const branchName: Reader<string> = (ctx, path, v) => {
  const s = str(ctx, path, v);
  if (s === undefined) return undefined;
  const b = s.startsWith("refs/heads/") ? s.slice("refs/heads/".length) : s;
  const bad =
    /[\s~^:?*[\\\x00-\x1f\x7f]/.test(b) || b.includes("..") || b.includes("@{") || b.includes("//") ||
    b.startsWith("/") || b.startsWith("-") || b.endsWith("/") || b.endsWith(".") || b.endsWith(".lock") || b === "@";
  if (bad || b === "") return void report(ctx, path, `"${s}" is not a valid branch name`);
  return b;
};

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?(?:\[bot\])?$/;
const TEAM = /^@[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?\/[A-Za-z0-9_.-]+$/;

/** "@org/team" stays as is; "alice" and "@alice" both mean the user alice. */
export const reviewer: Reader<string> = (ctx, path, v) => {
  const s = str(ctx, path, v);
  if (s === undefined) return undefined;
  if (s.includes("/")) {
    if (TEAM.test(s)) return s;
    if (TEAM.test(`@${s}`)) return void report(ctx, path, `"${s}" looks like a team; write it as "@${s}"`);
    return void report(ctx, path, `"${s}" is not a team ("@org/team-slug")`);
  }
  const login = s.startsWith("@") ? s.slice(1) : s;
  if (!LOGIN.test(login) || login.length > 44) return void report(ctx, path, `"${s}" is not a GitHub user login or "@org/team"`);
  return login;
};

/** RFC 6901 pointer; "" (the whole object) is refused because it would hide every difference. */
export const jsonPointer: Reader<string> = (ctx, path, v) => {
  if (typeof v !== "string") return void report(ctx, path, "must be a JSON pointer string such as /spec/replicas");
  if (v === "") return void report(ctx, path, 'the empty pointer "" would ignore the whole object; name a field such as /spec/replicas');
  if (!/^(\/([^~]|~[01])*)+$/.test(v)) {
    const why = v.startsWith("/") ? '"~" must be followed by 0 or 1 (~0 is "~", ~1 is "/")' : 'it must start with "/"';
    return void report(ctx, path, `"${v}" is not a valid JSON pointer: ${why}`);
  }
  return v;
};

export const regex: Reader<string> = (ctx, path, v) => {
  const s = str(ctx, path, v);
  if (s === undefined) return undefined;
  if (s.length > 1000) return void report(ctx, path, "must be at most 1000 characters");
  try {
    new RegExp(s);
    return s;
  } catch (e) {
    return void report(ctx, path, `is not a valid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, "")}`);
  }
};

/** An http(s) URL shown as the environment's link in GitHub's Deployments view. */
export const httpUrl = matching(/^https?:\/\/[^\s<>"']+$/, "is not an http(s) URL", 2000);
