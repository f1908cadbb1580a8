// The status union and the per-kind rules the fixtures do not cover.
import { describe, expect, it } from "vitest";
import { assessHealth, describeHealth, HEALTH_ORDER, isWorse, worstOf, type HealthResult } from "../../src/health/index.js";
import type { KubeObject } from "../../src/manifests/object.js";

function obj(apiVersion: string, kind: string, fields: Record<string, unknown>, metadata: Record<string, unknown> = {}): KubeObject {
  return { apiVersion, kind, metadata: { name: "x", namespace: "shop", generation: 1, ...metadata }, ...fields };
}
const cond = (type: string, status: string, reason?: string, message?: string) => ({ type, status, reason, message });

describe("status union", () => {
  it("orders Healthy < Progressing < Suspended < Missing < Unknown < Degraded", () => {
    expect(HEALTH_ORDER).toEqual(["Healthy", "Progressing", "Suspended", "Missing", "Unknown", "Degraded"]);
    expect(isWorse("Degraded", "Progressing")).toBe(true);
    expect(isWorse("Progressing", "Degraded")).toBe(false);
    expect(isWorse("Healthy", "Healthy")).toBe(false);
  });

  it("worstOf keeps the first of the worst results, and is Healthy for none", () => {
    const a: HealthResult = { status: "Progressing", reason: "A" };
    const b: HealthResult = { status: "Degraded", reason: "B" };
    const c: HealthResult = { status: "Degraded", reason: "C" };
    expect(worstOf([a, b, c])).toBe(b);
    expect(worstOf([])).toEqual({ status: "Healthy" });
  });

  it("describeHealth prints one line", () => {
    expect(describeHealth({ group: "apps", kind: "Deployment", namespace: "shop", name: "web" }, { status: "Healthy" })).toBe("Deployment shop/web: Healthy");
    expect(describeHealth({ group: "", kind: "Namespace", name: "shop" }, { status: "Missing", reason: "NotFound" })).toBe("Namespace shop: Missing (NotFound)");
  });

  it("an absent object is Missing; one being deleted is Progressing", () => {
    expect(assessHealth(undefined).status).toBe("Missing");
    const deleting = obj("v1", "ConfigMap", {}, { deletionTimestamp: "2025-03-12T10:00:00Z" });
    expect(assessHealth(deleting)).toMatchObject({ status: "Progressing", reason: "Terminating" });
  });
});

describe("workloads", () => {
  const sts = (spec: Record<string, unknown>, status: Record<string, unknown>) =>
    obj("apps/v1", "StatefulSet", { spec: { replicas: 3, ...spec }, status: { observedGeneration: 1, readyReplicas: 3, ...status } });

  it("StatefulSet OnDelete is healthy once observed and ready", () => {
    const s = sts({ updateStrategy: { type: "OnDelete" } }, { currentRevision: "a", updateRevision: "b", updatedReplicas: 0 });
    expect(assessHealth(s).status).toBe("Healthy");
  });

  it("StatefulSet with a partition waits only for the pods above it", () => {
    const strategy = { updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 2 } } };
    expect(assessHealth(sts(strategy, { currentRevision: "a", updateRevision: "b", updatedReplicas: 0 })).status).toBe("Progressing");
    expect(assessHealth(sts(strategy, { currentRevision: "a", updateRevision: "b", updatedReplicas: 1 })).status).toBe("Healthy");
  });

  it("StatefulSet waits for ready replicas and for a first observation", () => {
    expect(assessHealth(sts({}, { readyReplicas: 2 })).reason).toBe("WaitingForReady");
    expect(assessHealth(sts({}, { observedGeneration: 0 })).reason).toBe("ObservedGenerationBehind");
  });

  it("DaemonSet OnDelete is healthy once observed; otherwise waits for available pods", () => {
    const status = { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 1 };
    expect(assessHealth(obj("apps/v1", "DaemonSet", { spec: {}, status })).reason).toBe("WaitingForAvailable");
    const onDelete = obj("apps/v1", "DaemonSet", { spec: { updateStrategy: { type: "OnDelete" } }, status: { ...status, updatedNumberScheduled: 0 } });
    expect(assessHealth(onDelete).status).toBe("Healthy");
  });

  it("Deployment waits for old replicas to go and new ones to become available", () => {
    const d = (status: Record<string, unknown>) => obj("apps/v1", "Deployment", { spec: { replicas: 2 }, status: { observedGeneration: 1, ...status } });
    expect(assessHealth(d({ replicas: 3, updatedReplicas: 2, availableReplicas: 3 })).message).toBe("1 old replica pending termination");
    expect(assessHealth(d({ replicas: 2, updatedReplicas: 2, availableReplicas: 1 })).message).toBe("1 of 2 updated replicas available");
    expect(assessHealth(d({ replicas: 2, updatedReplicas: 2, availableReplicas: 2 })).status).toBe("Healthy");
    // spec.replicas defaults to 1
    const one = obj("apps/v1", "Deployment", { spec: {}, status: { observedGeneration: 1 } });
    expect(assessHealth(one).message).toBe("0 of 1 updated replicas");
  });

  it("ReplicaSet with ReplicaFailure is Degraded", () => {
    const rs = obj("apps/v1", "ReplicaSet", {
      spec: { replicas: 3 },
      status: {
        observedGeneration: 1,
        replicas: 0,
        conditions: [cond("ReplicaFailure", "True", "FailedCreate", 'pods "web-7d9c6b8f5d-x2k9p" is forbidden: exceeded quota: compute, requested: cpu=100m, used: cpu=4, limited: cpu=4')],
      },
    });
    expect(assessHealth(rs)).toMatchObject({ status: "Degraded", reason: "FailedCreate" });
  });

  it("a suspended Job is Suspended", () => {
    expect(assessHealth(obj("batch/v1", "Job", { spec: { suspend: true }, status: {} })).status).toBe("Suspended");
  });
});

describe("pods and other core kinds", () => {
  const pod = (status: Record<string, unknown>, spec: Record<string, unknown> = {}) =>
    obj("v1", "Pod", { spec: { containers: [{ name: "app", image: "busybox" }], ...spec }, status });

  it("Pod phases", () => {
    expect(assessHealth(pod({ phase: "Succeeded" })).status).toBe("Healthy");
    expect(assessHealth(pod({ phase: "Failed", reason: "Evicted", message: "The node was low on resource: memory." }))).toMatchObject({
      status: "Degraded",
      reason: "Evicted",
    });
    expect(assessHealth(pod({ phase: "Running", conditions: [cond("Ready", "False", "ContainersNotReady")] })).status).toBe("Progressing");
    expect(assessHealth(pod({ phase: "Running", conditions: [cond("Ready", "True")] }, { restartPolicy: "Never" })).status).toBe("Progressing");
    expect(assessHealth(pod({ phase: "Pending", conditions: [cond("PodScheduled", "False", "Unschedulable", "0/3 nodes are available")] })).reason).toBe("Unschedulable");
    expect(assessHealth(pod({ phase: "Unknown" })).status).toBe("Unknown");
  });

  it("a failed Pod without a message names the failed container", () => {
    const failed = pod({ phase: "Failed", containerStatuses: [{ name: "app", state: { terminated: { reason: "Error", exitCode: 2 } } }] });
    expect(assessHealth(failed).message).toBe("container app Error with exit code 2");
  });

  it("PVC Lost is Degraded", () => {
    expect(assessHealth(obj("v1", "PersistentVolumeClaim", { spec: {}, status: { phase: "Lost" } })).status).toBe("Degraded");
  });

  it("a LoadBalancer Service with an address is Healthy", () => {
    const svc = obj("v1", "Service", { spec: { type: "LoadBalancer" }, status: { loadBalancer: { ingress: [{ ip: "34.120.8.17", ipMode: "VIP" }] } } });
    expect(assessHealth(svc)).toEqual({ status: "Healthy", message: "load balancer at 34.120.8.17" });
  });

  it("a CRD still installing is Progressing, not Degraded", () => {
    const crd = obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", {
      status: { conditions: [cond("NamesAccepted", "True", "NoConflicts"), cond("Established", "False", "Installing", "the initial names have been accepted")] },
    });
    expect(assessHealth(crd)).toMatchObject({ status: "Progressing", reason: "Installing" });
    expect(assessHealth(obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", { status: {} })).status).toBe("Progressing");
  });

  it("HorizontalPodAutoscaler: missing target is Degraded, missing metrics only Progressing", () => {
    const hpa = (...conditions: unknown[]) => obj("autoscaling/v2", "HorizontalPodAutoscaler", { status: { conditions } });
    expect(assessHealth(hpa(cond("AbleToScale", "False", "FailedGetScale", 'deployments/scale.apps "web" not found'))).status).toBe("Degraded");
    expect(assessHealth(hpa(cond("AbleToScale", "True", "SucceededGetScale"), cond("ScalingActive", "False", "FailedGetResourceMetric"))).status).toBe(
      "Progressing",
    );
    expect(assessHealth(hpa(cond("AbleToScale", "True", "ReadyForNewScale"), cond("ScalingActive", "True", "ValidMetricFound"))).status).toBe("Healthy");
  });
});

describe("generic conditions", () => {
  const custom = (status: Record<string, unknown>, spec: Record<string, unknown> = {}, generation = 1) =>
    obj("example.io/v1", "Widget", { spec, status }, { generation });

  it("Ready=False with a neutral reason is Progressing (cert-manager while issuing)", () => {
    const cert = obj("cert-manager.io/v1", "Certificate", {
      status: { conditions: [cond("Ready", "False", "DoesNotExist", "Issuing certificate as Secret does not exist"), cond("Issuing", "True", "DoesNotExist")] },
    });
    expect(assessHealth(cert)).toMatchObject({ status: "Progressing", reason: "DoesNotExist" });
  });

  it("Ready=True and Available=True are Healthy; Ready=Unknown is Progressing", () => {
    expect(assessHealth(custom({ conditions: [cond("Ready", "True", "Succeeded")] })).status).toBe("Healthy");
    expect(assessHealth(custom({ conditions: [cond("Available", "True")] })).status).toBe("Healthy");
    expect(assessHealth(custom({ conditions: [cond("Ready", "Unknown", "Progressing")] })).status).toBe("Progressing");
    expect(assessHealth(custom({ conditions: [cond("Available", "False", "ReconcileError")] })).status).toBe("Degraded");
  });

  it("kstatus: Stalled=True is Degraded, Reconciling=True is Progressing", () => {
    expect(assessHealth(custom({ conditions: [cond("Stalled", "True", "InvalidSpec")] })).status).toBe("Degraded");
    expect(assessHealth(custom({ conditions: [cond("Reconciling", "True", "Progressing")] })).status).toBe("Progressing");
  });

  it("a status for an older generation is Progressing, whole or per condition", () => {
    expect(assessHealth(custom({ observedGeneration: 1, conditions: [cond("Ready", "True")] }, {}, 2)).reason).toBe("ObservedGenerationBehind");
    const stale = { ...cond("Ready", "True"), observedGeneration: 1 };
    expect(assessHealth(custom({ conditions: [stale] }, {}, 2)).status).toBe("Progressing");
  });

  it("spec.suspend is Suspended; a status without conditions is Healthy", () => {
    expect(assessHealth(custom({}, { suspend: true })).status).toBe("Suspended");
    expect(assessHealth(custom({ lastScheduleTime: "2025-03-12T10:00:00Z" })).status).toBe("Healthy");
  });
});
