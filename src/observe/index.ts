// Everything an operator watches Converge with, wired in one place:
//   /healthz   liveness: 200 while the process serves
//   /readyz    readiness: credentials load and every registered cluster answers (health.ts)
//   /metrics   Prometheus text, from domain events and the adapters' request hooks (metrics.ts)
//   notify     outgoing chat webhook on failures, reverts and drift (notify.ts)
//   logs       credentials redacted at the log destination, whoever logs them (log.ts)
//   /converge  the status page, when a token is configured (../status/)
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Probot } from "probot";
import type { ConvergeOptions, Runtime } from "../runtime.js";
import type { GitHub } from "../github/types.js";
import { createMetrics } from "./metrics.js";
import { observeGitHub } from "./github.js";
import { Readiness } from "./health.js";
import { startNotifier } from "./notify.js";
import { guardLogDestination } from "./log.js";
import { collectStatus } from "../status/collect.js";
import { statusPage, STATUS_PATH } from "../status/page.js";

type AddHandler = (handler: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>) => void;

export function installObservability(app: Probot, rt: Runtime, addHandler: AddHandler | undefined, opts: ConvergeOptions = {}): void {
  // Before anything else logs: credentials never reach the log destination (log.ts).
  guardLogDestination(app.log);
  const metrics = createMetrics(rt.events);
  rt.clusters.onRequest = (cluster, verb, status) => metrics.kubeRequest(cluster, verb, status);
  // Probot is initialised before apps load, so this resolves before the first webhook or timer.
  void observeGitHub(app, (installation, remaining) => metrics.rateLimit(installation, remaining)).catch((err: Error) => rt.log.warn({ err: err.message }, "GitHub rate-limit metric not available"));

  const notifyUrl = opts.notifyUrl ?? process.env.CONVERGE_NOTIFY_URL;
  if (notifyUrl) {
    if (/^https?:\/\//i.test(notifyUrl)) startNotifier(rt.events, { url: notifyUrl, log: rt.log, ...opts.notify });
    else rt.log.warn({ setting: "CONVERGE_NOTIFY_URL" }, "notification URL is not http(s): notifications are off");
  }

  const readiness = new Readiness(
    {
      async credentials() {
        // Signing the app's JWT proves the private key loads; the token itself is dropped here.
        const gh = (await app.auth()) as unknown as { auth(o: { type: "app" }): Promise<unknown> };
        await gh.auth({ type: "app" });
      },
      registryError: () => rt.clusters.registryError,
      clusters: () => rt.clusters.names(),
      client: (name) => rt.clusters.client(name),
    },
    opts.readyCacheMs ?? 10_000,
  );

  const token = opts.statusToken ?? process.env.CONVERGE_STATUS_TOKEN;
  if (token && token.length < 16) rt.log.warn({ setting: "CONVERGE_STATUS_TOKEN", length: token.length }, "status token is short: use 32 random characters or more");
  const page = token
    ? statusPage({
        token,
        log: rt.log,
        cacheMs: opts.statusCacheMs,
        collect: () =>
          collectStatus({
            appOctokit: async () => (await app.auth()) as unknown as GitHub,
            installationOctokit: async (id) => (await app.auth(id)) as unknown as GitHub,
            clusters: rt.clusters,
            log: rt.log,
          }),
      })
    : undefined;

  addHandler?.(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://converge.invalid");
    switch (url.pathname) {
      case "/healthz":
        res.writeHead(200, { "content-type": "text/plain", "cache-control": "no-store" }).end("ok\n");
        return true;
      case "/readyz": {
        const report = await readiness.report();
        if (report.ready) res.writeHead(200, { "content-type": "text/plain", "cache-control": "no-store" }).end("ok\n");
        else {
          const notReady = report.checks.filter((c) => !c.ok).map((c) => ({ check: c.name, error: c.error }));
          res.writeHead(503, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify({ status: "not ready", notReady, checkedAt: report.checkedAt }));
        }
        return true;
      }
      case "/metrics":
        res.writeHead(200, { "content-type": metrics.registry.contentType, "cache-control": "no-store" }).end(await metrics.registry.metrics());
        return true;
    }
    if (url.pathname !== STATUS_PATH && !url.pathname.startsWith(`${STATUS_PATH}/`)) return false;
    if (page && (await page(req, res, url))) return true;
    res.writeHead(404, { "content-type": "text/plain" }).end(page ? "not found\n" : "the status page is off (set CONVERGE_STATUS_TOKEN to enable it)\n");
    return true;
  });
}
