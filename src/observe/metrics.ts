// Prometheus metrics, from domain events (rt.events) and from the two
// adapters' request hooks (GitHub rate limit headers, Kubernetes requests).
// One Registry per app instance: tests run several apps in one process, and a
// process-global registry would mix their numbers (and refuse duplicate names).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { ConvergeEmitter, ConvergeEvents } from "../agent/events.js";

// Seconds: previews take ~1–30 s, deploys up to the verify timeout (minutes).
const PREVIEW_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];
const DEPLOY_BUCKETS = [1, 5, 10, 20, 30, 60, 120, 300, 600, 1200];

export interface Metrics {
  registry: Registry;
  /** Remaining GitHub REST quota of one installation ("app" for the app's own JWT). */
  rateLimit(installation: string, remaining: number): void;
  /** One Kubernetes API request (status 0 = no answer). */
  kubeRequest(cluster: string, verb: string, status: number): void;
  /** Stops listening to events (default-metric collection stops with the registry). */
  stop(): void;
}

export function createMetrics(events: ConvergeEmitter, opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const webhooks = new Counter({ name: "converge_webhooks_total", help: "Webhook deliveries by event and what Converge did with them (queued, duplicate).", labelNames: ["event", "outcome"], registers });
  const previews = new Counter({ name: "converge_previews_total", help: "Environment previews by result (failure: the plan has errors).", labelNames: ["environment", "result"], registers });
  const previewSeconds = new Histogram({ name: "converge_preview_duration_seconds", help: "Time from a preview job's start to its check run and comment.", labelNames: ["environment"], buckets: PREVIEW_BUCKETS, registers });
  const deploys = new Counter({ name: "converge_deploys_total", help: "Deploys by result and trigger (push, reconcile, drift).", labelNames: ["environment", "result", "trigger"], registers });
  const deploySeconds = new Histogram({ name: "converge_deploy_duration_seconds", help: "Deploy time: plan, apply and verify.", labelNames: ["environment", "result"], buckets: DEPLOY_BUCKETS, registers });
  const drift = new Counter({ name: "converge_drift_detected_total", help: "Drift checks that found live state differing from Git (action: detected = reported, healed = re-applied, resolved = back in sync).", labelNames: ["environment", "action"], registers });
  const reverts = new Counter({ name: "converge_revert_prs_opened_total", help: "Failure-policy outcomes after a failed deploy (opened, merged, exists, conflict, none).", labelNames: ["environment", "outcome"], registers });
  const rateLimit = new Gauge({ name: "converge_github_rate_limit_remaining", help: "x-ratelimit-remaining of the last GitHub response, per installation.", labelNames: ["installation"], registers });
  const kubeRequests = new Counter({ name: "converge_kubernetes_requests_total", help: "Kubernetes API requests by cluster, verb and HTTP status (0 = no answer).", labelNames: ["cluster", "verb", "code"], registers });
  const kubeErrors = new Counter({ name: "converge_kubernetes_request_errors_total", help: "Kubernetes API requests that got no answer, 429 or a 5xx.", labelNames: ["cluster", "verb"], registers });

  const onWebhook: Listener<"webhook"> = (e) => webhooks.inc({ event: e.event, outcome: e.outcome });
  const onPreview: Listener<"preview"> = (e) => {
    previews.inc({ environment: e.env, result: e.result });
    previewSeconds.observe({ environment: e.env }, e.ms / 1000);
  };
  const onDeploy: Listener<"deploy"> = (e) => {
    deploys.inc({ environment: e.env, result: e.result, trigger: e.trigger });
    deploySeconds.observe({ environment: e.env, result: e.result }, e.ms / 1000);
  };
  const onDrift: Listener<"drift"> = (e) => drift.inc({ environment: e.env, action: e.action });
  const onRevert: Listener<"revert"> = (e) => {
    const outcome = e.outcome.kind === "opened" && e.outcome.merged ? "merged" : e.outcome.kind;
    reverts.inc({ environment: e.env, outcome });
  };
  events.on("webhook", onWebhook);
  events.on("preview", onPreview);
  events.on("deploy", onDeploy);
  events.on("drift", onDrift);
  events.on("revert", onRevert);

  return {
    registry,
    rateLimit(installation, remaining) {
      if (Number.isFinite(remaining)) rateLimit.set({ installation }, remaining);
    },
    kubeRequest(cluster, verb, status) {
      kubeRequests.inc({ cluster, verb, code: String(status) });
      if (status === 0 || status === 429 || status >= 500) kubeErrors.inc({ cluster, verb });
    },
    stop() {
      events.off("webhook", onWebhook);
      events.off("preview", onPreview);
      events.off("deploy", onDeploy);
      events.off("drift", onDrift);
      events.off("revert", onRevert);
    },
  };
}

type Listener<K extends keyof ConvergeEvents> = (...args: ConvergeEvents[K]) => void;
