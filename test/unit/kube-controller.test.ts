// The scripted controller manager + kubelet of the simulated API server, seen
// the way Converge sees a cluster: through HTTP (KubeClient) and judged by the
// health assessment in src/health.

import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeClient } from "../../src/cluster/client.js";
import { KubeApiError } from "../../src/cluster/errors.js";
import { assessHealth, podsOfRollout, type HealthResult } from "../../src/health/index.js";
import type { KubeObject } from "../../src/manifests/object.js";
import { startController, type Controller, type ControllerScenario } from "../support/kube/controller.js";
import { startKubeSim, type KubeSim } from "../support/kube/index.js";

type Obj = Record<string, any>;

const NS = "shop";
const SCENARIO: ControllerScenario = {
  readyAfterMs: 100,
  deadlineScale: 0.01,
  images: [
    { match: ":v2-missing", behaviour: "imagepullbackoff" },
    { match: /:crash$/, behaviour: "crashloop" },
    { match: ":never-ready", behaviour: "never-ready" },
    { match: ":gone", behaviour: "errimagepull" },
    { match: ":needs-secret", behaviour: "createcontainerconfigerror" },
    { match: ":restarts", behaviour: "restart-loop" },
    { match: ":huge", behaviour: "pending" },
  ],
};

let sim: KubeSim;
let client: KubeClient;
let controller: Controller;

beforeAll(async () => {
  sim = await startKubeSim();
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig());
  client = new KubeClient(kc);
  controller = startController(sim, SCENARIO);
  await client.request("POST", "/api/v1/namespaces", { body: { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } } });
});
afterAll(async () => {
  await controller?.stop();
  client?.close();
  await sim?.close();
});

const PLURALS: Record<string, [string, string]> = {
  Deployment: ["/apis/apps/v1", "deployments"],
  ReplicaSet: ["/apis/apps/v1", "replicasets"],
  StatefulSet: ["/apis/apps/v1", "statefulsets"],
  DaemonSet: ["/apis/apps/v1", "daemonsets"],
  Job: ["/apis/batch/v1", "jobs"],
  Pod: ["/api/v1", "pods"],
  PersistentVolumeClaim: ["/api/v1", "persistentvolumeclaims"],
  Service: ["/api/v1", "services"],
  Event: ["/api/v1", "events"],
};

function path(kind: string, name?: string): string {
  const [prefix, plural] = PLURALS[kind];
  return `${prefix}/namespaces/${NS}/${plural}${name ? `/${name}` : ""}`;
}

function apply(obj: Obj, force = true): Promise<KubeObject> {
  const query = { fieldManager: "converge", ...(force ? { force: true } : {}) };
  return client.request<KubeObject>("PATCH", path(obj.kind, obj.metadata.name), { query, body: obj, contentType: "application/apply-patch+yaml" });
}

async function get(kind: string, name: string): Promise<KubeObject | undefined> {
  try {
    const [prefix] = PLURALS[kind];
    return { ...(await client.request<KubeObject>("GET", path(kind, name))), apiVersion: prefix.replace(/^\/apis?\//, ""), kind };
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 404) return undefined;
    throw err;
  }
}

async function list(kind: string): Promise<KubeObject[]> {
  const [prefix] = PLURALS[kind];
  const body = await client.request<{ items: KubeObject[] }>("GET", path(kind));
  return body.items.map((o) => ({ ...o, apiVersion: prefix.replace(/^\/apis?\//, ""), kind }));
}

/** What the deploy verification would say: the workload judged with the pods of its current rollout. */
async function health(kind: string, name: string): Promise<HealthResult> {
  const obj = await get(kind, name);
  if (!obj) return assessHealth(undefined);
  const [replicaSets, pods] = await Promise.all([kind === "Deployment" ? list("ReplicaSet") : Promise.resolve([]), list("Pod")]);
  return assessHealth(obj, { pods: podsOfRollout(obj, replicaSets, pods) });
}

async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 3000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T = await fn();
  while (!ok(last)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}; controller errors: ${controller.errors.join(" | ")}`);
    await new Promise((r) => setTimeout(r, 20));
    last = await fn();
  }
  return last;
}

const is = (status: string, reason?: string) => (h: HealthResult) => h.status === status && (reason === undefined || h.reason === reason);

function deployment(name: string, image: string, extra: Obj = {}): Obj {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: NS },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image, ports: [{ containerPort: 8080 }] }] } },
      ...extra,
    },
  };
}

const owners = (o: Obj) => (o.metadata.ownerReferences ?? []).map((r: Obj) => `${r.kind}/${r.name}`);
const ownedBy = (objs: KubeObject[], kind: string, name: string) => objs.filter((o) => owners(o).includes(`${kind}/${name}`));
const condition = (o: Obj, type: string) => (o.status?.conditions ?? []).find((c: Obj) => c.type === type);

describe("kube-sim controller", () => {
  it("rolls a good Deployment out like a cluster: ReplicaSet, pods, events, status; Healthy within a second", async () => {
    const watch = new AbortController();
    const stream = await client.stream(path("Pod"), { watch: 1 }, watch.signal);
    const seen: Obj[] = [];
    let buffered = "";
    stream.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) if (line) seen.push(JSON.parse(line));
    });
    stream.on("error", () => undefined);

    const started = Date.now();
    await apply(deployment("web", "ghcr.io/acme/web:v1"));
    const h = await until("web Healthy", () => health("Deployment", "web"), is("Healthy"), 1500);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(h.message).toBe("2 replicas updated and available");

    const d = (await get("Deployment", "web"))!;
    const [rs] = ownedBy(await list("ReplicaSet"), "Deployment", "web");
    const hash = rs.metadata.labels!["pod-template-hash"];
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(rs.metadata.annotations).toMatchObject({ "deployment.kubernetes.io/revision": "1", "deployment.kubernetes.io/desired-replicas": "2" });
    expect(rs.metadata.ownerReferences).toEqual([{ apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect((rs as Obj).spec.selector.matchLabels).toEqual({ app: "web", "pod-template-hash": hash });
    expect(d.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("1");
    expect((d as Obj).status).toMatchObject({ observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 });
    expect((d as Obj).status.unavailableReplicas).toBeUndefined();
    expect(condition(d, "Available")).toMatchObject({ status: "True", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability." });
    expect(condition(d, "Progressing")).toMatchObject({ status: "True", reason: "NewReplicaSetAvailable", message: `ReplicaSet "web-${hash}" has successfully progressed.` });
    expect((d.metadata.managedFields as Obj[]).map((m) => `${m.manager}/${m.subresource ?? ""}`)).toEqual(expect.arrayContaining(["converge/", "kube-controller-manager/status"]));

    const pods = ownedBy(await list("Pod"), "ReplicaSet", rs.metadata.name) as Obj[];
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      expect(pod.metadata.name).toMatch(new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      expect(pod.metadata.labels).toEqual({ app: "web", "pod-template-hash": hash });
      expect(pod.spec.nodeName).toMatch(/^sim-worker2?$/);
      expect(pod.status.phase).toBe("Running");
      expect(pod.status.conditions.map((c: Obj) => `${c.type}=${c.status}`)).toEqual(["PodReadyToStartContainers=True", "Initialized=True", "Ready=True", "ContainersReady=True", "PodScheduled=True"]);
      expect(pod.status.containerStatuses[0]).toMatchObject({ name: "web", image: "ghcr.io/acme/web:v1", ready: true, started: true, restartCount: 0, state: { running: {} } });
      expect(pod.status.containerStatuses[0].containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
      expect(pod.status.podIP).toMatch(/^10\.244\./);
      expect(assessHealth(pod as KubeObject).status).toBe("Healthy");
    }

    const events = await list("Event");
    const said = events.map((e: Obj) => `${e.involvedObject.kind}/${e.reason}: ${e.message}`);
    expect(said).toContain(`Deployment/ScalingReplicaSet: Scaled up replica set web-${hash} from 0 to 2`);
    expect(said).toContain(`ReplicaSet/SuccessfulCreate: Created pod: ${pods[0].metadata.name}`);
    expect(said).toContain(`Pod/Scheduled: Successfully assigned shop/${pods[0].metadata.name} to ${pods[0].spec.nodeName}`);
    expect(said).toContain("Pod/Started: Started container web");

    // The watch saw the controllers' writes as a client watching a cluster would.
    watch.abort();
    const running = seen.filter((e) => e.type === "MODIFIED" && e.object.status?.phase === "Running");
    expect(running.length).toBeGreaterThanOrEqual(2);
    expect(seen.filter((e) => e.type === "ADDED")).toHaveLength(2);
  });

  it("re-applying the same template starts no rollout and, once settled, nothing is written", async () => {
    const before = await list("Pod");
    const d = await apply(deployment("web", "ghcr.io/acme/web:v1"));
    expect(d.metadata.generation).toBe(1);
    await new Promise((r) => setTimeout(r, 150));
    expect(ownedBy(await list("ReplicaSet"), "Deployment", "web")).toHaveLength(1);
    const after = await list("Pod");
    const rv = (objs: KubeObject[]) => objs.filter((p) => p.metadata.name.startsWith("web-")).map((p) => `${p.metadata.name}@${p.metadata.resourceVersion}`).sort();
    expect(rv(after)).toEqual(rv(before));
    expect(await health("Deployment", "web")).toMatchObject({ status: "Healthy" });
  });

  it("a broken image: the new pods show ImagePullBackOff and fail the rollout while the old pods keep serving", async () => {
    const [oldRS] = ownedBy(await list("ReplicaSet"), "Deployment", "web");
    await apply(deployment("web", "ghcr.io/acme/web:v2-missing"));
    const h = await until("ImagePullBackOff", () => health("Deployment", "web"), is("Degraded", "ImagePullBackOff"));
    expect(h.message).toMatch(/^pod web-\w+-\w{5} container web: ImagePullBackOff \(image ghcr\.io\/acme\/web:v2-missing: Back-off pulling image "ghcr\.io\/acme\/web:v2-missing"\) \(and 1 more failing pod\)$/);

    const d = (await get("Deployment", "web")) as Obj;
    const rss = ownedBy(await list("ReplicaSet"), "Deployment", "web");
    const newRS = rss.find((rs) => rs.metadata.uid !== oldRS.metadata.uid)!;
    expect(newRS.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("2");
    expect(d.metadata.annotations["deployment.kubernetes.io/revision"]).toBe("2");
    expect(d.status).toMatchObject({ observedGeneration: 2, replicas: 4, updatedReplicas: 2, availableReplicas: 2 });
    expect(condition(d, "Available")?.status).toBe("True");
    expect(condition(d, "Progressing")).toMatchObject({ status: "True", reason: expect.stringMatching(/^(NewReplicaSetCreated|ReplicaSetUpdated)$/) });

    const pods = (await list("Pod")) as Obj[];
    const oldPods = ownedBy(pods as KubeObject[], "ReplicaSet", oldRS.metadata.name) as Obj[];
    expect(oldPods.map((p) => `${p.status.phase}/${condition(p, "Ready")?.status}`)).toEqual(["Running/True", "Running/True"]);
    const [broken] = ownedBy(pods as KubeObject[], "ReplicaSet", newRS.metadata.name) as Obj[];
    expect(broken.status.phase).toBe("Pending");
    expect(broken.status.containerStatuses[0].state.waiting).toEqual({ reason: "ImagePullBackOff", message: 'Back-off pulling image "ghcr.io/acme/web:v2-missing"' });
    const events = (await list("Event")).filter((e: Obj) => e.involvedObject.name === broken.metadata.name) as Obj[];
    expect(events.map((e) => `${e.type} ${e.reason}: ${e.message}`)).toEqual(expect.arrayContaining([
      'Warning Failed: Failed to pull image "ghcr.io/acme/web:v2-missing": rpc error: code = NotFound desc = failed to pull and unpack image "ghcr.io/acme/web:v2-missing": failed to resolve reference "ghcr.io/acme/web:v2-missing": ghcr.io/acme/web:v2-missing: not found',
      "Warning Failed: Error: ImagePullBackOff",
    ]));
    expect(events.find((e) => e.reason === "Failed")).toMatchObject({ source: { component: "kubelet" }, involvedObject: { kind: "Pod", fieldPath: "spec.containers{web}" } });

    // The fix rolls out: once its pods are available the old ReplicaSets go to 0 and their pods away.
    await apply(deployment("web", "ghcr.io/acme/web:v3"));
    await until("web Healthy again", () => health("Deployment", "web"), is("Healthy"));
    const after = ownedBy(await list("ReplicaSet"), "Deployment", "web") as Obj[];
    const current = after.find((rs) => rs.metadata.annotations["deployment.kubernetes.io/revision"] === "3")!;
    expect(after.filter((rs) => rs !== current).map((rs) => rs.spec.replicas)).toEqual([0, 0]);
    const left = (await list("Pod")).filter((p) => p.metadata.name.startsWith("web-"));
    expect(left.map((p) => p.metadata.labels?.["pod-template-hash"])).toEqual([current.metadata.labels["pod-template-hash"], current.metadata.labels["pod-template-hash"]]);
  });

  it("a crashing container: CrashLoopBackOff with growing restarts and the last exit code", async () => {
    await apply(deployment("api", "ghcr.io/acme/api:crash", { replicas: 1 }));
    const h = await until("CrashLoopBackOff", () => health("Deployment", "api"), is("Degraded", "CrashLoopBackOff"));
    expect(h.message).toMatch(/container api: CrashLoopBackOff \(image ghcr\.io\/acme\/api:crash: back-off \d+s restarting failed container=api pod=api-\w+-\w{5}_shop\([0-9a-f-]{36}\); last terminated: Error, exit code 1\)$/);
    const pod = await until("restarts", async () => (await list("Pod")).find((p) => p.metadata.name.startsWith("api-")) as Obj, (p) => p.status.containerStatuses?.[0]?.restartCount >= 2);
    expect(pod.status.phase).toBe("Running");
    expect(pod.status.containerStatuses[0].lastState.terminated).toMatchObject({ exitCode: 1, reason: "Error" });
    expect(condition(pod, "Ready")).toMatchObject({ status: "False", reason: "ContainersNotReady", message: "containers with unready status: [api]" });
  });

  it("a pod that never becomes ready: ProgressDeadlineExceeded after progressDeadlineSeconds × deadlineScale", async () => {
    await apply(deployment("slow", "ghcr.io/acme/slow:never-ready", { replicas: 1, progressDeadlineSeconds: 30 }));
    const progressing = await health("Deployment", "slow");
    expect(progressing.status).toBe("Progressing");
    const started = Date.now();
    const h = await until("deadline", () => health("Deployment", "slow"), is("Degraded", "ProgressDeadlineExceeded"));
    expect(Date.now() - started).toBeGreaterThan(150);
    const d = (await get("Deployment", "slow")) as Obj;
    const rs = ownedBy(await list("ReplicaSet"), "Deployment", "slow")[0];
    expect(condition(d, "Progressing")).toMatchObject({ status: "False", reason: "ProgressDeadlineExceeded", message: `ReplicaSet "${rs.metadata.name}" has timed out progressing.` });
    expect(h.message).toBe(`ReplicaSet "${rs.metadata.name}" has timed out progressing.`);
  });

  it("runs Jobs to Complete, and fails them after backoffLimit failures", async () => {
    const job = (name: string, image: string, backoffLimit?: number) => ({
      apiVersion: "batch/v1", kind: "Job", metadata: { name, namespace: NS },
      spec: { ...(backoffLimit !== undefined ? { backoffLimit } : {}), template: { spec: { restartPolicy: "Never", containers: [{ name: "main", image }] } } },
    });
    await apply(job("migrate", "ghcr.io/acme/migrate:v1"));
    await apply(job("broken", "ghcr.io/acme/migrate:crash", 2));
    expect(await until("Complete", () => health("Job", "migrate"), is("Healthy", "Complete"))).toMatchObject({ message: "job completed (1 succeeded)" });
    const done = (await get("Job", "migrate")) as Obj;
    expect(done.status.conditions.map((c: Obj) => `${c.type}=${c.status}/${c.reason}`)).toEqual(["SuccessCriteriaMet=True/CompletionsReached", "Complete=True/CompletionsReached"]);
    expect(done.status).toMatchObject({ succeeded: 1, startTime: expect.any(String), completionTime: expect.any(String) });
    const [pod] = ownedBy(await list("Pod"), "Job", "migrate") as Obj[];
    expect(pod.metadata.name).toMatch(/^migrate-\w{5}$/);
    expect(pod.status.phase).toBe("Succeeded");
    expect(pod.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });

    const failed = await until("Failed", () => health("Job", "broken"), is("Degraded", "BackoffLimitExceeded"));
    expect(failed.message).toBe("Job has reached the specified backoff limit");
    expect(((await get("Job", "broken")) as Obj).status.failed).toBe(3);
  });

  it("brings StatefulSets (with claims), DaemonSets, claims and load balancers to Healthy", async () => {
    await apply({
      apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "db", namespace: NS },
      spec: {
        replicas: 2, serviceName: "db", selector: { matchLabels: { app: "db" } },
        template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "db", image: "postgres:16" }] } },
        volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }],
      },
    });
    await apply({
      apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "agent", namespace: NS },
      spec: { selector: { matchLabels: { app: "agent" } }, template: { metadata: { labels: { app: "agent" } }, spec: { containers: [{ name: "agent", image: "ghcr.io/acme/agent:v1" }] } } },
    });
    await apply({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "uploads", namespace: NS }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "5Gi" } } } });
    await apply({ apiVersion: "v1", kind: "Service", metadata: { name: "edge", namespace: NS }, spec: { type: "LoadBalancer", selector: { app: "web" }, ports: [{ port: 80 }] } });

    await until("StatefulSet Healthy", () => health("StatefulSet", "db"), is("Healthy"));
    await until("DaemonSet Healthy", () => health("DaemonSet", "agent"), is("Healthy"));
    await until("claim Bound", () => health("PersistentVolumeClaim", "uploads"), is("Healthy"));
    await until("load balancer", () => health("Service", "edge"), is("Healthy"));

    const sts = (await get("StatefulSet", "db")) as Obj;
    expect(sts.status).toMatchObject({ observedGeneration: 1, replicas: 2, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2, currentRevision: sts.status.updateRevision });
    const stsPods = ownedBy(await list("Pod"), "StatefulSet", "db") as Obj[];
    expect(stsPods.map((p) => p.metadata.name).sort()).toEqual(["db-0", "db-1"]);
    expect(stsPods[0].metadata.labels["controller-revision-hash"]).toBe(sts.status.updateRevision);
    const claims = (await list("PersistentVolumeClaim")) as Obj[];
    expect(claims.filter((c) => c.status.phase === "Bound").map((c) => c.metadata.name).sort()).toEqual(["data-db-0", "data-db-1", "uploads"]);
    expect(claims.find((c) => c.metadata.name === "uploads")!.status.capacity).toEqual({ storage: "5Gi" });

    const ds = (await get("DaemonSet", "agent")) as Obj;
    expect(ds.status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 2, updatedNumberScheduled: 2, numberAvailable: 2, observedGeneration: 1 });
    const dsPods = ownedBy(await list("Pod"), "DaemonSet", "agent") as Obj[];
    expect(dsPods.map((p) => p.spec.nodeName).sort()).toEqual(["sim-worker", "sim-worker2"]);
    expect(((await get("Service", "edge")) as Obj).status.loadBalancer.ingress[0].ip).toMatch(/^172\.18\.255\.\d+$/);

    // A broken StatefulSet revision fails fast through its newest pod.
    await apply({ ...sts, metadata: { name: "db", namespace: NS }, status: undefined, spec: { ...sts.spec, template: { ...sts.spec.template, spec: { containers: [{ name: "db", image: "postgres:crash" }] } } } });
    await until("StatefulSet CrashLoopBackOff", () => health("StatefulSet", "db"), is("Degraded", "CrashLoopBackOff"));
  });

  it("shows each kubelet waiting reason on bare pods", async () => {
    const pod = (name: string, image: string) => apply({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: NS }, spec: { containers: [{ name: "app", image, envFrom: [{ secretRef: { name: "app-env" } }] }] } });
    await Promise.all([pod("p-gone", "ghcr.io/acme/app:gone"), pod("p-secret", "ghcr.io/acme/app:needs-secret"), pod("p-huge", "ghcr.io/acme/app:huge"), pod("p-restarts", "ghcr.io/acme/app:restarts")]);
    expect(await until("ErrImagePull", () => health("Pod", "p-gone"), is("Degraded", "ErrImagePull"))).toMatchObject({
      message: expect.stringContaining('rpc error: code = NotFound desc = failed to pull and unpack image "ghcr.io/acme/app:gone"'),
    });
    expect(await until("CreateContainerConfigError", () => health("Pod", "p-secret"), is("Degraded", "CreateContainerConfigError"))).toMatchObject({
      message: expect.stringContaining('secret "app-env" not found'),
    });
    expect(await until("RestartLoop", () => health("Pod", "p-restarts"), is("Degraded", "RestartLoop"))).toMatchObject({
      message: expect.stringContaining("last terminated: Error, exit code 1"),
    });
    expect(await health("Pod", "p-huge")).toMatchObject({ status: "Progressing", reason: "Unschedulable", message: expect.stringMatching(/^0\/2 nodes are available: 2 Insufficient cpu\./) });
  });

  it("a fighter keeps resetting spec.replicas as its own field manager", async () => {
    controller.setScenario({ ...SCENARIO, fighters: [{ kind: "Deployment", name: "web", namespace: NS, path: ["spec", "replicas"], value: 3, everyMs: 50 }] });
    try {
      const fought = await until("replicas 3", () => get("Deployment", "web") as Promise<Obj>, (d) => d.spec.replicas === 3);
      expect(fought.metadata.managedFields.map((m: Obj) => m.manager)).toContain("hpa-fighter");
      // Converge's apply without force now conflicts with the other manager...
      const conflict = await apply(deployment("web", "ghcr.io/acme/web:v3"), false).catch((e: unknown) => e);
      expect(conflict).toBeInstanceOf(KubeApiError);
      expect((conflict as KubeApiError).status).toBe(409);
      expect((conflict as KubeApiError).message).toContain('conflict with "hpa-fighter"');
      // ...and a forced one wins only until the fighter's next turn.
      expect(((await apply(deployment("web", "ghcr.io/acme/web:v3"))) as Obj).spec.replicas).toBe(2);
      await until("replicas 3 again", () => get("Deployment", "web") as Promise<Obj>, (d) => d.spec.replicas === 3);
      await until("3 pods", async () => ((await get("Deployment", "web")) as Obj).status, (s) => s.readyReplicas === 3 && s.replicas === 3);
    } finally {
      controller.setScenario(SCENARIO);
    }
  });

  it("deleting a Deployment collects its ReplicaSets and pods", async () => {
    expect(ownedBy(await list("ReplicaSet"), "Deployment", "web").length).toBeGreaterThan(0);
    await client.request("DELETE", path("Deployment", "web"), { query: { propagationPolicy: "Background" } });
    await until("web's pods gone", () => list("Pod"), (pods) => !pods.some((p) => p.metadata.name.startsWith("web-")));
    expect((await list("ReplicaSet")).filter((rs) => rs.metadata.name.startsWith("web-"))).toEqual([]);
    expect(await health("Deployment", "web")).toMatchObject({ status: "Missing" });
    expect(controller.errors).toEqual([]);
  });
});
