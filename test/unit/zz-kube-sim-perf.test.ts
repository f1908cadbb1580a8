import { it } from "vitest";
import { Agent, request } from "node:https";
import { stringify } from "yaml";
import { startKubeSim } from "../support/kube/index.js";

it("perf", async () => {
  const sim = await startKubeSim();
  const agent = new Agent({ keepAlive: true, maxSockets: 8, ca: Buffer.from(sim.caData, "base64") });
  const call = (method: string, path: string, body?: string, ct?: string) => new Promise<number>((resolve, reject) => {
    const req = request(sim.url + path, { method, agent, headers: { Authorization: `Bearer ${sim.token}`, ...(ct ? { "Content-Type": ct } : {}) } }, (res) => { res.resume(); res.on("end", () => resolve(res.statusCode!)); });
    req.on("error", reject); req.end(body);
  });
  const dep = (i: number, img = "nginx:1.25") => JSON.stringify({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: `d${i}`, namespace: "default", labels: { app: `d${i}` } },
    spec: { replicas: 2, selector: { matchLabels: { app: `d${i}` } }, template: { metadata: { labels: { app: `d${i}` } }, spec: { containers: [{ name: "web", image: img, ports: [{ containerPort: 80 }], env: [{ name: "A", value: "1" }], resources: { limits: { cpu: "1" } } }] } } } });
  const run = async (n: number, f: (i: number) => Promise<number>, conc = 16) => {
    const t = Date.now(); let next = 0; const codes = new Map<number, number>();
    await Promise.all(Array.from({ length: conc }, async () => { while (next < n) { const i = next++; const c = await f(i); codes.set(c, (codes.get(c) ?? 0) + 1); } }));
    return `${n} in ${Date.now() - t}ms ${JSON.stringify([...codes])}`;
  };
  console.log("apply create", await run(5000, (i) => call("PATCH", `/apis/apps/v1/namespaces/default/deployments/d${i}?fieldManager=c`, dep(i), "application/apply-patch+yaml")));
  console.log("apply noop", await run(5000, (i) => call("PATCH", `/apis/apps/v1/namespaces/default/deployments/d${i}?fieldManager=c`, dep(i), "application/apply-patch+yaml")));
  console.log("apply change", await run(5000, (i) => call("PATCH", `/apis/apps/v1/namespaces/default/deployments/d${i}?fieldManager=c`, dep(i, "nginx:2"), "application/apply-patch+yaml")));
  console.log("get", await run(20000, (i) => call("GET", `/apis/apps/v1/namespaces/default/deployments/d${i % 5000}`)));
  console.log("list sel", await run(200, () => call("GET", `/apis/apps/v1/namespaces/default/deployments?labelSelector=app%3Dd7`)));
  console.log("list all", await run(20, () => call("GET", `/apis/apps/v1/deployments`)));
  console.log("mem MB", Math.round(process.memoryUsage().heapUsed / 1e6), "requests", sim.requests.length);
  agent.destroy();
  await sim.close();
}, 120_000);
