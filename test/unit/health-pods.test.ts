// Fast failure (src/health/pods.ts) and the selection of the current
// rollout's pods (src/health/rollout.ts).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import {
  assessHealth,
  describeHealth,
  FAILING_WAITING_REASONS,
  podFailure,
  podsFailure,
  podsOfRollout,
} from "../../src/health/index.js";
import { idOf, type KubeObject } from "../../src/manifests/object.js";

const DIR = join(import.meta.dirname, "../fixtures/health");

function load(file: string): { subject: KubeObject; revisions: KubeObject[]; pods: KubeObject[] } {
  const [subject, ...others] = parseAllDocuments(readFileSync(join(DIR, file), "utf8")).map((d) => d.toJS() as KubeObject);
  return { subject, revisions: others.filter((o) => o.kind !== "Pod"), pods: others.filter((o) => o.kind === "Pod") };
}

function pod(name: string, containerStatus: Record<string, unknown>, extra: { status?: Record<string, unknown>; metadata?: Record<string, unknown> } = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "shop", ...extra.metadata },
    spec: {
      containers: [{ name: "web", image: "ghcr.io/acme/web:v2", resources: { limits: { memory: "256Mi" } } }],
      initContainers: [{ name: "migrate", image: "ghcr.io/acme/migrate:v2" }],
    },
    status: { phase: "Running", containerStatuses: [{ name: "web", image: "ghcr.io/acme/web:v2", restartCount: 0, ...containerStatus }], ...extra.status },
  };
}

const waiting = (reason: string, message?: string) => ({ state: { waiting: { reason, message } } });

describe("fast failure", () => {
  it("names pod, container, image and the kubelet message for ImagePullBackOff", () => {
    const { subject, revisions, pods } = load("deployment-imagepullbackoff.yaml");
    const result = assessHealth(subject, { pods: podsOfRollout(subject, revisions, pods) });
    expect(result).toEqual({
      status: "Degraded",
      reason: "ImagePullBackOff",
      message: 'pod web-6c5d8f9b7a-abcde container web: ImagePullBackOff (image ghcr.io/acme/web:v2: Back-off pulling image "ghcr.io/acme/web:v2")',
    });
    expect(describeHealth(idOf(subject), result)).toBe(
      'Deployment shop/web: Degraded (ImagePullBackOff: pod web-6c5d8f9b7a-abcde container web: ImagePullBackOff (image ghcr.io/acme/web:v2: Back-off pulling image "ghcr.io/acme/web:v2"))',
    );
  });

  it.each([...FAILING_WAITING_REASONS])("waiting reason %s is Degraded", (reason) => {
    expect(podFailure(pod("web-1", waiting(reason, "boom")))).toMatchObject({ status: "Degraded", reason });
  });

  it.each(["ContainerCreating", "PodInitializing"])("waiting reason %s is not a failure", (reason) => {
    expect(podFailure(pod("web-1", waiting(reason)))).toBeUndefined();
  });

  it("adds the last termination to CrashLoopBackOff", () => {
    const crashing = pod("web-1", {
      ...waiting("CrashLoopBackOff", "back-off 10s restarting failed container=web pod=web-1_shop(uid)"),
      restartCount: 1,
      lastState: { terminated: { reason: "Error", exitCode: 1 } },
    });
    expect(podFailure(crashing)?.message).toBe(
      "pod web-1 container web: CrashLoopBackOff (image ghcr.io/acme/web:v2: back-off 10s restarting failed container=web pod=web-1_shop(uid); last terminated: Error, exit code 1)",
    );
  });

  it("checks init containers and says so", () => {
    const p = pod("web-1", { state: { waiting: { reason: "PodInitializing" } } }, {
      status: { phase: "Pending", initContainerStatuses: [{ name: "migrate", restartCount: 4, ...waiting("CrashLoopBackOff", "back-off 1m20s") }] },
    });
    expect(podFailure(p)).toMatchObject({ reason: "CrashLoopBackOff", message: expect.stringMatching(/^pod web-1 init container migrate: .*image ghcr\.io\/acme\/migrate:v2/) });
  });

  it("treats a current OOMKilled termination as a failure, with the memory limit", () => {
    const p = pod("web-1", { state: { terminated: { reason: "OOMKilled", exitCode: 137 } } });
    expect(podFailure(p)).toEqual({
      status: "Degraded",
      reason: "OOMKilled",
      message: "pod web-1 container web: OOMKilled (image ghcr.io/acme/web:v2: OOMKilled, exit code 137; memory limit 256Mi)",
    });
  });

  it("counts a previous OOMKilled only when the restart happened after the baseline", () => {
    const p = pod("web-1", { restartCount: 1, state: { running: {} }, lastState: { terminated: { reason: "OOMKilled", exitCode: 137 } } });
    expect(podFailure(p)?.reason).toBe("OOMKilled");
    expect(podFailure(p, { baselineRestarts: new Map([["web-1/web", 1]]) })).toBeUndefined();
  });

  it("fails a container restarted restartThreshold times since the baseline", () => {
    const { subject, revisions, pods } = load("deployment-restart-loop.yaml");
    const current = podsOfRollout(subject, revisions, pods);
    expect(assessHealth(subject, { pods: current }).reason).toBe("RestartLoop");
    // Restarts that happened before the deploy started are not this deploy's fault.
    const baselineRestarts = new Map([["web-5f8b9c7d4e-n6f3v/web", 2]]);
    expect(assessHealth(subject, { pods: current }, { baselineRestarts })).toMatchObject({ status: "Progressing", reason: "WaitingForAvailable" });
    expect(assessHealth(subject, { pods: current }, { restartThreshold: 5 }).status).toBe("Progressing");
    expect(assessHealth(subject, { pods: current }, { restartThreshold: 0 }).status).toBe("Progressing");
  });

  it("ignores evicted and terminating pods", () => {
    const evicted = pod("web-1", waiting("ImagePullBackOff"), { status: { phase: "Failed", reason: "Evicted" } });
    const terminating = pod("web-2", waiting("CrashLoopBackOff"), { metadata: { deletionTimestamp: "2025-03-12T10:00:00Z" } });
    expect(podsFailure([evicted, terminating])).toBeUndefined();
  });

  it("reports the first failing pod by name and counts the others", () => {
    const result = podsFailure([pod("web-c", waiting("ErrImagePull")), pod("web-a", waiting("ImagePullBackOff")), pod("web-b", {})]);
    expect(result?.message).toMatch(/^pod web-a container web: ImagePullBackOff .*\(and 1 more failing pod\)$/);
  });

  it("keeps long kubelet messages to one short line", () => {
    const long = `failed to pull and unpack image:\n${"x".repeat(2000)}`;
    const message = podFailure(pod("web-1", waiting("ErrImagePull", long)))?.message ?? "";
    expect(message.length).toBeLessThan(420);
    expect(message).not.toContain("\n");
  });

  it("lets a failing pod explain a deadline exceeded", () => {
    const { subject } = load("deployment-deadline-exceeded.yaml");
    expect(assessHealth(subject, { pods: [pod("api-1", waiting("ImagePullBackOff"))] }).reason).toBe("ImagePullBackOff");
  });

  it("does not fail a completed Job for the pods it retried", () => {
    const { subject } = load("job-complete.yaml");
    expect(assessHealth(subject, { pods: [pod("db-migrate-42-x", { state: { terminated: { reason: "OOMKilled", exitCode: 137 } } })] }).status).toBe("Healthy");
  });

  it("fails a running Job whose pod cannot pull its image", () => {
    const { subject } = load("job-running.yaml");
    expect(assessHealth(subject, { pods: [pod("db-migrate-42-x", waiting("ErrImagePull"))] }).reason).toBe("ErrImagePull");
  });

  it("does not apply to kinds without pods", () => {
    const { subject } = load("service-clusterip.yaml");
    expect(assessHealth(subject, { pods: [pod("web-1", waiting("CrashLoopBackOff"))] }).status).toBe("Healthy");
  });
});

describe("podsOfRollout", () => {
  it("selects the newest ReplicaSet's pods of a Deployment, not the old ones", () => {
    const { subject, revisions, pods } = load("deployment-old-rs-crashloop-ignored.yaml");
    expect(podsOfRollout(subject, revisions, pods).map((p) => p.metadata.name)).toEqual([
      "web-84c5d7f6b9-c6w8d",
      "web-84c5d7f6b9-j3p9l",
      "web-84c5d7f6b9-r5t2k",
    ]);
    // The guard in action: with every pod, the old ReplicaSet's crash would fail the fix.
    expect(assessHealth(subject, { pods }).reason).toBe("CrashLoopBackOff");
  });

  it("picks the highest revision when the Deployment carries no revision annotation", () => {
    const { subject, revisions, pods } = load("deployment-crashloop.yaml");
    const bare = { ...subject, metadata: { ...subject.metadata, annotations: {} } };
    expect(podsOfRollout(bare, revisions, pods).map((p) => p.metadata.name)).toEqual(["web-5f8b9c7d4e-q7x2m"]);
  });

  it("returns no pods while the controller has not observed the new spec", () => {
    const { subject, revisions, pods } = load("deployment-crashloop.yaml");
    const behind = { ...subject, metadata: { ...subject.metadata, generation: 3 } };
    expect(podsOfRollout(behind, revisions, pods)).toEqual([]);
  });

  it("ignores pods of another namespace", () => {
    const { subject, revisions, pods } = load("deployment-crashloop.yaml");
    const elsewhere = pods.map((p) => ({ ...p, metadata: { ...p.metadata, namespace: "staging" } }));
    expect(podsOfRollout(subject, revisions, elsewhere)).toEqual([]);
  });

  const stsPod = (name: string, revision: string): KubeObject => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "shop",
      labels: { "controller-revision-hash": revision },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "StatefulSet", name: "postgres", uid: "8c3e5a7f-1d9b-4f26-a4e8-6b0d2c9f7e13", controller: true }],
    },
  });

  it("selects a StatefulSet's pods at status.updateRevision", () => {
    const { subject } = load("statefulset-rolling.yaml");
    const pods = [stsPod("postgres-0", "postgres-6d4b7c9f8b"), stsPod("postgres-1", "postgres-6d4b7c9f8b"), stsPod("postgres-2", "postgres-58f7c6d9b4")];
    expect(podsOfRollout(subject, [], pods).map((p) => p.metadata.name)).toEqual(["postgres-2"]);
  });

  const dsPod = (name: string, hash: string, generation: string): KubeObject => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "monitoring",
      labels: { "controller-revision-hash": hash, "pod-template-generation": generation },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "DaemonSet", name: "node-exporter", uid: "2f7b9d4e-6a1c-4e83-b5f0-9d2a7c4e1b68", controller: true }],
    },
  });
  const revision = (hash: string, n: number): KubeObject => ({
    apiVersion: "apps/v1",
    kind: "ControllerRevision",
    metadata: {
      name: `node-exporter-${hash}`,
      namespace: "monitoring",
      labels: { "controller-revision-hash": hash },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "DaemonSet", name: "node-exporter", uid: "2f7b9d4e-6a1c-4e83-b5f0-9d2a7c4e1b68", controller: true }],
    },
    revision: n,
  });

  it("selects a DaemonSet's pods by its newest ControllerRevision, or by template generation", () => {
    const { subject } = load("daemonset-progressing.yaml");
    const pods = [dsPod("node-exporter-4kx9z", "7b8c9d6f5", "4"), dsPod("node-exporter-8mq2w", "6f9d8b7c4", "5")];
    const revisions = [revision("7b8c9d6f5", 4), revision("6f9d8b7c4", 5)];
    expect(podsOfRollout(subject, revisions, pods).map((p) => p.metadata.name)).toEqual(["node-exporter-8mq2w"]);
    expect(podsOfRollout(subject, [], pods).map((p) => p.metadata.name)).toEqual(["node-exporter-8mq2w"]);
  });

  it("selects the pods a ReplicaSet or Job controls, and none for other kinds", () => {
    const { subject: rs } = load("replicaset-healthy.yaml");
    const { pods } = load("deployment-crashloop.yaml");
    expect(podsOfRollout(rs, [], pods).map((p) => p.metadata.name)).toEqual(["web-7d9c6b8f5d-x2k9p", "web-7d9c6b8f5d-m4vq7"]);
    const { subject: svc } = load("service-clusterip.yaml");
    expect(podsOfRollout(svc, [], pods)).toEqual([]);
  });
});
