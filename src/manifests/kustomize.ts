// Rendering with `kubectl kustomize` (kustomize v5 built into kubectl). Only
// the safe defaults are used: no --enable-helm, --enable-exec,
// --enable-alpha-plugins, and the default load restrictor (files must stay
// under the kustomization root). References are checked first so kustomize
// never fetches anything; the environment given to kubectl carries no
// credentials and a dead proxy, in case something slips through anyway.
import { execFile } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { scanKustomization } from "./kustomize-refs.js";
import type { EnvPath } from "./paths.js";
import { formatBytes } from "./plain.js";
import type { ManifestError, ManifestLimits } from "./types.js";

const run = promisify(execFile);
const MAX_STDERR_CHARS = 4000;
const DEAD_PROXY = "http://127.0.0.1:9";

export interface Rendered {
  text?: string;
  inputs: string[];
  errors: ManifestError[];
}

/** Renders env (whose kustomization file is kfile) or explains why not. */
export async function renderKustomize(env: EnvPath, kfile: string, rootGiven: string, limits: ManifestLimits): Promise<Rendered> {
  const scan = await scanKustomization(env.realRoot, env.abs, limits);
  const inputs = collapse([env.rel === "" ? "./" : `${env.rel}/`, ...[...scan.inputs].sort()]);
  if (scan.errors.length > 0) return { inputs, errors: scan.errors };
  const file = env.rel === "" ? kfile : `${env.rel}/${kfile}`;
  const fail = (message: string): Rendered => ({ inputs, errors: [{ file, message, reason: "RenderFailed" }] });
  try {
    const { stdout } = await run("kubectl", ["kustomize", env.abs], {
      cwd: env.abs,
      env: kubectlEnv(),
      timeout: limits.kustomizeTimeoutMs,
      killSignal: "SIGKILL",
      maxBuffer: limits.maxTotalBytes,
      encoding: "utf8",
      windowsHide: true,
    });
    return { text: stdout, inputs, errors: [] };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string; killed?: boolean; signal?: string };
    if (e.code === "ENOENT") return fail("kubectl is not installed (needed to render kustomizations)");
    if (e.code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER") return fail(`kustomize output exceeds ${formatBytes(limits.maxTotalBytes)} (limit)`);
    if (e.killed || e.signal) return fail(`kubectl kustomize did not finish within ${limits.kustomizeTimeoutMs / 1000} s`);
    const detail = scrub(e.stderr ?? "", [env.realRoot, rootGiven]);
    return fail(`kustomize failed: ${detail || "no message"}`);
  }
}

/** Drops entries already covered by a directory entry ("base/x.yaml" under "base/"). */
function collapse(inputs: string[]): string[] {
  const dirs = inputs.filter((i) => i.endsWith("/"));
  if (dirs.includes("./")) return ["./"];
  return inputs.filter((i) => !dirs.some((d) => d !== i && i.startsWith(d)));
}

function kubectlEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: tmpdir(), // no ~/.kube/config, no ~/.gitconfig credentials
    LANG: "C",
    GIT_TERMINAL_PROMPT: "0",
    GIT_ALLOW_PROTOCOL: "none",
    HTTP_PROXY: DEAD_PROXY,
    HTTPS_PROXY: DEAD_PROXY,
    http_proxy: DEAD_PROXY,
    https_proxy: DEAD_PROXY,
    NO_PROXY: "",
    no_proxy: "",
  };
}

/** kubectl's message with repository-relative paths and no temp paths. */
export function scrub(stderr: string, roots: string[]): string {
  let s = kubectlMessage(stderr);
  for (const root of [...new Set(roots)].sort((a, b) => b.length - a.length)) {
    const r = escapeRe(root.replace(/\/+$/, ""));
    s = s.replace(new RegExp(`${r}/`, "g"), "").replace(new RegExp(`${r}(?=$|[\\s'":,)\\]])`, "g"), ".");
  }
  s = s.replace(new RegExp(`${escapeRe(path.resolve(tmpdir()))}/[^\\s'":,]*`, "g"), "<temp>");
  return s.length > MAX_STDERR_CHARS ? `${s.slice(0, MAX_STDERR_CHARS)}…` : s;
}

/**
 * The error out of kubectl's stderr: klog lines ('E1121 20:00:31.8 9399
 * run.go:72] "command failed" err="..."') are unwrapped, deprecation
 * warnings ("# Warning: ...") dropped.
 */
export function kubectlMessage(stderr: string): string {
  const out: string[] = [];
  for (const raw of stderr.split("\n")) {
    const line = raw.trimEnd();
    if (line === "" || line.startsWith("# Warning:")) continue;
    const klog = /^[EWIF]\d{4} [\d:.]+\s+\d+ [^\]]+\] (.*)$/.exec(line);
    if (!klog) {
      out.push(line.replace(/^error: /, ""));
      continue;
    }
    const failed = /^"command failed" err="(.*)"$/.exec(klog[1]);
    out.push(failed ? unquote(failed[1]) : klog[1]);
  }
  return out.join("\n").trim();
}

// klog quotes with Go's %q, close enough to JSON for error text.
function unquote(s: string): string {
  try {
    return JSON.parse(`"${s}"`) as string;
  } catch {
    return s.replace(/\\"/g, '"').replace(/\\\\/g, "\\");
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
