// Service health: only a LoadBalancer has something to wait for (its address).
import type { KubeObject } from "../manifests/object.js";
import { fieldList, fields, specOf, statusOf, text } from "./fields.js";
import type { HealthResult } from "./status.js";

export function serviceHealth(svc: KubeObject): HealthResult {
  if (specOf(svc).type !== "LoadBalancer") return { status: "Healthy" };
  const ingress = fieldList(fields(statusOf(svc).loadBalancer).ingress);
  if (ingress.length === 0) {
    return { status: "Progressing", reason: "LoadBalancerPending", message: "waiting for the load balancer to get an address" };
  }
  const addresses = ingress.map((i) => text(i.hostname) ?? text(i.ip)).filter(Boolean);
  return { status: "Healthy", message: `load balancer at ${addresses.join(", ") || "(address pending)"}` };
}
