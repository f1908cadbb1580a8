// The parent's side of test/support/child-app.ts: build (if dist/ is stale),
// spawn, talk to and kill Converge child processes. Every child started here
// is tracked so a test's afterAll can make sure none outlives it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sendWebhook, type GitHubSim } from "./github/index.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CHILD_SCRIPT = join(ROOT, "dist", "test", "support", "child-app.js");

export interface ChildOptions {
  gh: GitHubSim;
  secret: string;
  kubeconfigPath: string;
  port: number;
  identity: string;
  reconcileIntervalMs: number;
  verifyTimeoutMs?: number;
  pollMs?: number;
  repositories?: string[];
  /** pino level for the child's logs (on its stderr, kept in `Child.stderr()`); default silent. */
  logLevel?: string;
}

export interface Child {
  pid: number;
  url: string;
  /** Sends a signed webhook to the child; resolves with the HTTP status. */
  send(event: string, payload: unknown, id?: string): Promise<number>;
  /** SIGKILL (kill -9) unless another signal is given; returns at once. */
  kill(signal?: NodeJS.Signals): void;
  /** Resolves when the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  stderr(): string;
}

const running = new Set<ChildProcess>();
const keyFiles = new Map<GitHubSim, string>();

/** Kills every child still running (SIGKILL) and waits until they are gone. */
export async function killAllChildren(): Promise<void> {
  const gone = [...running].map((p) => new Promise<void>((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    p.once("exit", () => resolve());
    p.kill("SIGKILL");
  }));
  await Promise.all(gone);
}

/** Compiles the project with tsc when dist/ is older than any source the child runs. */
export function ensureChildBuilt(): void {
  const newest = (dir: string): number => {
    let t = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) t = Math.max(t, newest(p));
      else if (entry.name.endsWith(".ts")) t = Math.max(t, statSync(p).mtimeMs);
    }
    return t;
  };
  const built = existsSync(CHILD_SCRIPT) ? statSync(CHILD_SCRIPT).mtimeMs : 0;
  const sources = Math.max(newest(join(ROOT, "src")), newest(join(ROOT, "test", "support")));
  const index = join(ROOT, "dist", "src", "index.js");
  if (built >= sources && existsSync(index) && statSync(index).mtimeMs >= newest(join(ROOT, "src"))) return;
  // Type errors elsewhere do not stop tsc from emitting; a missing output does.
  spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(ROOT, "tsconfig.json")], { cwd: ROOT, stdio: "ignore" });
  if (!existsSync(CHILD_SCRIPT)) throw new Error(`${CHILD_SCRIPT} is missing after tsc: run npm run build`);
}

function keyFile(gh: GitHubSim): string {
  let path = keyFiles.get(gh);
  if (!path) {
    path = join(mkdtempSync(join(tmpdir(), "converge-child-")), "app.pem");
    writeFileSync(path, gh.privateKey, { mode: 0o600 });
    keyFiles.set(gh, path);
  }
  return path;
}

function envFor(o: ChildOptions): Record<string, string> {
  const env: Record<string, string> = {
    CONVERGE_CHILD_GITHUB_URL: o.gh.apiUrl,
    CONVERGE_CHILD_APP_ID: String(o.gh.appId),
    CONVERGE_CHILD_PRIVATE_KEY_PATH: keyFile(o.gh),
    CONVERGE_CHILD_WEBHOOK_SECRET: o.secret,
    CONVERGE_CHILD_KUBECONFIG: o.kubeconfigPath,
    CONVERGE_CHILD_PORT: String(o.port),
    CONVERGE_CHILD_IDENTITY: o.identity,
    CONVERGE_CHILD_RECONCILE_MS: String(o.reconcileIntervalMs),
  };
  if (o.verifyTimeoutMs !== undefined) env.CONVERGE_CHILD_VERIFY_TIMEOUT_MS = String(o.verifyTimeoutMs);
  if (o.pollMs !== undefined) env.CONVERGE_CHILD_POLL_MS = String(o.pollMs);
  if (o.repositories) env.CONVERGE_CHILD_REPOSITORIES = o.repositories.join(",");
  if (o.logLevel) env.CONVERGE_CHILD_LOG_LEVEL = o.logLevel;
  return env;
}

/** Starts a child and resolves once it listens (rejects with its stderr if it dies first). */
export async function startChild(o: ChildOptions, readyTimeoutMs = 20_000): Promise<Child> {
  const spare = await spawnSpare(o, readyTimeoutMs, false);
  return spare.go();
}

export interface Spare {
  pid: number;
  /** Starts the app in the warm spare; resolves once it listens. */
  go(): Promise<Child>;
  kill(): void;
}

/**
 * A warm spare: a child that has loaded its code and waits for go() before it
 * starts the app (binds the port, takes Leases, runs the start-up walk). Lets
 * a restart test replace a killed child without paying Node's module loading.
 */
export function startSpare(o: ChildOptions, readyTimeoutMs = 20_000): Promise<Spare> {
  return spawnSpare(o, readyTimeoutMs, true);
}

async function spawnSpare(o: ChildOptions, readyTimeoutMs: number, standby: boolean): Promise<Spare> {
  // Not the parent's CONVERGE_* settings (a registry file, a status token …): only what is given here.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("CONVERGE_")));
  const env = { ...inherited, ...envFor(o), ...(standby ? { CONVERGE_CHILD_STANDBY: "1" } : {}) };
  const proc = spawn(process.execPath, [CHILD_SCRIPT], { env, stdio: ["pipe", "pipe", "pipe"], detached: false });
  running.add(proc);
  let err = "";
  let out = "";
  const waiters: Array<{ word: string; resolve: () => void }> = [];
  proc.stderr!.setEncoding("utf8").on("data", (d: string) => {
    err += d;
    if (err.length > 200_000) err = err.slice(-100_000);
  });
  proc.stdout!.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    for (const w of [...waiters]) if (out.includes(`"${w.word}":true`)) w.resolve();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once("exit", (code, signal) => {
      running.delete(proc);
      resolve({ code, signal });
    });
  });
  const alive = () => proc.exitCode === null && proc.signalCode === null;
  const printed = (word: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child did not print ${word} within ${readyTimeoutMs} ms: ${err.slice(-2000)}`)), readyTimeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      if (out.includes(`"${word}":true`)) return done();
      waiters.push({ word, resolve: done });
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`child exited (${code ?? signal}) before ${word}: ${err.slice(-2000)}`));
      });
    });
  const url = `http://127.0.0.1:${o.port}`;
  const child: Child = {
    pid: proc.pid!,
    url,
    async send(event, payload, id) {
      const res = await sendWebhook(`${url}/api/github/webhooks`, { event, payload, secret: o.secret, id });
      return res.status;
    },
    kill(signal = "SIGKILL") {
      if (alive()) proc.kill(signal);
    },
    exited,
    alive,
    stderr: () => err,
  };
  if (standby) await printed("standby");
  return {
    pid: proc.pid!,
    async go() {
      if (standby) proc.stdin!.write("go\n");
      await printed("ready");
      return child;
    },
    kill: () => child.kill("SIGKILL"),
  };
}
