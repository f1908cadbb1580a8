// The objects of a benchmark workload, shaped like real ones: Deployments
// with probes, resources and env (1-2 containers), Services, ConfigMaps,
// Secrets (stringData), a CRD and its Widgets.
import type { KubeObject } from "../src/manifests/object.js";
import { hex, int, pick, type Random } from "./random.js";

const labels = (app: string, extra: Record<string, string> = {}) => ({ "app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "bench", ...extra });

export function namespace(name: string): KubeObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { "app.kubernetes.io/part-of": "bench", "pod-security.kubernetes.io/enforce": "baseline" } } };
}

export function deployment(rnd: Random, name: string, ns: string, config: boolean, secretRef: boolean): KubeObject {
  const tier = pick(rnd, ["web", "api", "worker"]);
  const image = `registry.example.com/bench/${pick(rnd, ["shop", "cart", "search", "billing", "auth", "media"])}:${int(rnd, 1, 4)}.${int(rnd, 0, 20)}.${int(rnd, 0, 30)}`;
  const env: Array<Record<string, unknown>> = [
    { name: "LOG_LEVEL", value: "info" },
    { name: "APP_NAME", value: name },
    { name: "REGION", value: pick(rnd, ["eu-west-1", "us-east-1", "ap-south-1"]) },
  ];
  for (let i = int(rnd, 0, 3); i > 0; i--) env.push({ name: `FEATURE_${hex(rnd, 4).toUpperCase()}`, value: pick(rnd, ["true", "false"]) });
  if (secretRef) env.push({ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: `${name}-credentials`, key: "password" } } });
  const main: Record<string, unknown> = {
    name: "app",
    image,
    ports: [{ name: "http", containerPort: 8080 }],
    env,
    resources: resources(rnd),
    readinessProbe: { httpGet: { path: "/ready", port: "http" }, initialDelaySeconds: 5, periodSeconds: 10 },
    livenessProbe: { httpGet: { path: "/healthz", port: "http" }, initialDelaySeconds: 15, periodSeconds: 20, failureThreshold: 3 },
  };
  if (config) main.envFrom = [{ configMapRef: { name: `${name}-config` } }];
  const containers = [main];
  if (rnd() < 0.4) {
    containers.push({
      name: "proxy",
      image: `registry.example.com/bench/proxy:2.${int(rnd, 0, 9)}.${int(rnd, 0, 9)}`,
      args: ["--listen=:9090", "--upstream=127.0.0.1:8080"],
      ports: [{ name: "metrics", containerPort: 9090 }],
      resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "200m", memory: "64Mi" } },
      readinessProbe: { tcpSocket: { port: 9090 }, periodSeconds: 10 },
    });
  }
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns, labels: labels(name, { tier }) },
    spec: {
      replicas: int(rnd, 1, 3),
      selector: { matchLabels: { "app.kubernetes.io/name": name } },
      template: {
        metadata: { labels: labels(name, { tier }), annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": "9090" } },
        spec: { containers, terminationGracePeriodSeconds: 30 },
      },
    },
  };
}

/** Requests, and limits of 2-4x the requests (the API server rejects limits below requests). */
function resources(rnd: Random): Record<string, Record<string, string>> {
  const cpu = int(rnd, 1, 5) * 50;
  const mem = int(rnd, 1, 8) * 64;
  return { requests: { cpu: `${cpu}m`, memory: `${mem}Mi` }, limits: { cpu: `${cpu * int(rnd, 2, 4)}m`, memory: `${mem * int(rnd, 2, 4)}Mi` } };
}

export function service(rnd: Random, name: string, ns: string, app: string, headless: boolean): KubeObject {
  const spec: Record<string, unknown> = { selector: { "app.kubernetes.io/name": app }, ports: [{ name: "http", port: pick(rnd, [80, 8080]), targetPort: "http", protocol: "TCP" }] };
  if (headless) spec.clusterIP = "None";
  return { apiVersion: "v1", kind: "Service", metadata: { name, namespace: ns, labels: labels(app) }, spec };
}

export function configMap(rnd: Random, name: string, ns: string, app: string): KubeObject {
  const data: Record<string, string> = {
    LOG_FORMAT: pick(rnd, ["json", "text"]),
    MAX_CONNECTIONS: String(int(rnd, 10, 500)),
    CACHE_TTL: `${int(rnd, 1, 60)}m`,
  };
  if (rnd() < 0.5) data["settings.yaml"] = `server:\n  port: 8080\n  timeout: ${int(rnd, 5, 60)}s\nupstreams:\n  - name: ${pick(rnd, ["db", "cache", "queue"])}\n    url: http://${hex(rnd, 6)}.svc:${int(rnd, 1000, 9999)}\n`;
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns, labels: labels(app) }, data };
}

export function secret(rnd: Random, name: string, ns: string, app: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace: ns, labels: labels(app) },
    type: "Opaque",
    stringData: { username: `svc-${hex(rnd, 6)}`, password: hex(rnd, 32), "api-key": hex(rnd, 40) },
  };
}

export function widget(rnd: Random, name: string, ns: string): KubeObject {
  return {
    apiVersion: "bench.converge.dev/v1",
    kind: "Widget",
    metadata: { name, namespace: ns, labels: labels(name) },
    spec: { size: int(rnd, 1, 100), color: pick(rnd, ["red", "green", "blue"]), tags: [pick(rnd, ["a", "b"]), pick(rnd, ["c", "d"])] },
  };
}

export function widgetCrd(): KubeObject {
  const spec = { type: "object", properties: { size: { type: "integer", minimum: 0 }, color: { type: "string", enum: ["red", "green", "blue"] }, tags: { type: "array", items: { type: "string" } } } };
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.bench.converge.dev" },
    spec: {
      group: "bench.converge.dev",
      scope: "Namespaced",
      names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
      versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", properties: { spec } } } }],
    },
  };
}
