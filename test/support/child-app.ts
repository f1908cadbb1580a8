// Child-process entry: the real Converge app (createConverge behind Probot's
// Server, as test/support/stack.ts runs it in-process) configured from
// environment variables, so a test can `kill -9` it at any moment and start
// another. The parent test owns the simulators (GitHub, Kubernetes, the
// controllers); this process only talks to them over HTTP.
//
//   CONVERGE_CHILD_GITHUB_URL        API base of the simulated GitHub (…/api/v3)
//   CONVERGE_CHILD_APP_ID            GitHub App id
//   CONVERGE_CHILD_PRIVATE_KEY_PATH  file with the app's private key (never argv: `ps` shows argv)
//   CONVERGE_CHILD_WEBHOOK_SECRET    webhook secret
//   CONVERGE_CHILD_KUBECONFIG        kubeconfig path of the simulated cluster "sim"
//   CONVERGE_CHILD_PORT              port to listen on (127.0.0.1)
//   CONVERGE_CHILD_IDENTITY          Lease identity (stable across restarts, like a pod name)
//   CONVERGE_CHILD_RECONCILE_MS      reconcile interval; > 0 also runs the start-up walk
//   CONVERGE_CHILD_VERIFY_TIMEOUT_MS, CONVERGE_CHILD_POLL_MS   verification knobs (optional)
//   CONVERGE_CHILD_REPOSITORIES      comma-separated allowlist for cluster "sim" (default acme/*)
//   CONVERGE_CHILD_LOG_LEVEL         pino level, logs to stderr (default silent)
//   CONVERGE_CHILD_STANDBY           "1": load the code, print `{"standby":true}`, and start the
//                                    app only when a line "go" arrives on stdin (a warm spare, so
//                                    a restart test does not spend its time importing modules)
//
// Prints one JSON line `{"ready":true,"port":N,"pid":P}` on stdout once it listens.
// The parent side (building this environment, spawning, killing) is child-process.ts.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { pino } from "pino";
import { Probot, ProbotOctokit, Server } from "probot";
import { createConverge } from "../../src/index.js";
import type { ClusterRegistry } from "../../src/config/index.js";

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`child-app: ${name} is not set`);
  return v;
}

function optionalNumber(name: string): number | undefined {
  const v = process.env[name];
  return v ? Number(v) : undefined;
}

async function main(): Promise<void> {
  const port = Number(required("CONVERGE_CHILD_PORT"));
  const log = pino({ level: process.env.CONVERGE_CHILD_LOG_LEVEL ?? "silent" }, pino.destination(2));
  const registry: ClusterRegistry = {
    file: "child-registry.yaml",
    clusters: [{ name: "sim", kubeconfig: required("CONVERGE_CHILD_KUBECONFIG"), inCluster: false, repositories: (process.env.CONVERGE_CHILD_REPOSITORIES ?? "acme/*").split(","), allowClusterScoped: true }],
  };
  // As in stack.ts: no throttle plugin (its write spacing would make the test measure the throttle, not Converge).
  const Octokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, throttle: { ...(o.throttle as object), enabled: false } }));
  const ProbotChild = Probot.defaults({
    appId: Number(required("CONVERGE_CHILD_APP_ID")),
    privateKey: readFileSync(required("CONVERGE_CHILD_PRIVATE_KEY_PATH"), "utf8"),
    secret: required("CONVERGE_CHILD_WEBHOOK_SECRET"),
    baseUrl: required("CONVERGE_CHILD_GITHUB_URL"),
    log,
    Octokit,
  });
  // The parent went away (its test crashed): do not outlive it.
  const lines = createInterface({ input: process.stdin });
  lines.on("close", () => process.exit(0));
  if (process.env.CONVERGE_CHILD_STANDBY === "1") {
    process.stdout.write(`${JSON.stringify({ standby: true, pid: process.pid })}\n`);
    await new Promise<void>((resolve) => lines.on("line", (l) => l.trim() === "go" && resolve()));
  }
  const server = new Server({ Probot: ProbotChild, port, host: "127.0.0.1", log });
  await server.load(
    createConverge({
      registry,
      identity: required("CONVERGE_CHILD_IDENTITY"),
      reconcileIntervalMs: Number(process.env.CONVERGE_CHILD_RECONCILE_MS ?? 0),
      verifyTimeoutMs: optionalNumber("CONVERGE_CHILD_VERIFY_TIMEOUT_MS"),
      pollMs: optionalNumber("CONVERGE_CHILD_POLL_MS") ?? 50,
    }),
  );
  await server.start();
  process.stdout.write(`${JSON.stringify({ ready: true, port, pid: process.pid })}\n`);
  const stop = () => void server.stop().finally(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((err) => {
  process.stderr.write(`child-app failed to start: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
