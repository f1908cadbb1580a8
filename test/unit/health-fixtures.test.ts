// One test per fixture in test/fixtures/health: the file name says the kind
// and the answer (<kind>-<case>.yaml). Multi-document fixtures hold the
// workload first, then its ReplicaSets / ControllerRevisions and pods.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { assessHealth, podsOfRollout, type HealthStatus } from "../../src/health/index.js";
import type { KubeObject } from "../../src/manifests/object.js";

const DIR = join(import.meta.dirname, "../fixtures/health");

const KIND_BY_PREFIX: Record<string, string | undefined> = {
  deployment: "Deployment",
  statefulset: "StatefulSet",
  daemonset: "DaemonSet",
  replicaset: "ReplicaSet",
  job: "Job",
  pod: "Pod",
  pvc: "PersistentVolumeClaim",
  service: "Service",
  crd: "CustomResourceDefinition",
  configmap: "ConfigMap",
  generic: undefined, // any kind without its own assessor
};

/** The answer by the end of the case name; the longest matching key wins ("running-ready" over "running"). */
const STATUS_BY_CASE: Record<string, HealthStatus> = {
  healthy: "Healthy",
  "running-ready": "Healthy",
  complete: "Healthy",
  bound: "Healthy",
  clusterip: "Healthy",
  established: "Healthy",
  "no-status": "Healthy",
  progressing: "Progressing",
  rolling: "Progressing",
  running: "Progressing",
  pending: "Progressing",
  "observed-generation-behind": "Progressing",
  "crashloop-ignored": "Progressing", // an old ReplicaSet's crash does not fail the new rollout
  paused: "Suspended",
  failed: "Degraded",
  crashloop: "Degraded",
  imagepullbackoff: "Degraded",
  "deadline-exceeded": "Degraded",
  createcontainerconfigerror: "Degraded",
  "restart-loop": "Degraded",
  "ready-false": "Degraded",
  "not-established": "Degraded",
};

/** Reasons asserted as well, for the failures users act on. */
const REASON_BY_FIXTURE: Record<string, string> = {
  "deployment-crashloop": "CrashLoopBackOff",
  "deployment-imagepullbackoff": "ImagePullBackOff",
  "deployment-restart-loop": "RestartLoop",
  "deployment-deadline-exceeded": "ProgressDeadlineExceeded",
  "deployment-old-rs-crashloop-ignored": "OldReplicasPending",
  "deployment-paused": "Paused",
  "pod-createcontainerconfigerror": "CreateContainerConfigError",
  "job-failed": "BackoffLimitExceeded",
  "crd-not-established": "PluralConflict",
  "generic-ready-false": "HealthCheckFailed",
};

function expectedStatus(caseName: string): HealthStatus | undefined {
  const key = Object.keys(STATUS_BY_CASE)
    .filter((k) => caseName === k || caseName.endsWith(`-${k}`))
    .sort((a, b) => b.length - a.length)[0];
  return key ? STATUS_BY_CASE[key] : undefined;
}

function loadFixture(file: string): KubeObject[] {
  return parseAllDocuments(readFileSync(join(DIR, file), "utf8")).map((doc) => {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
    return doc.toJS() as KubeObject;
  });
}

const fixtures = readdirSync(DIR).filter((f) => f.endsWith(".yaml")).sort();

describe("health fixtures", () => {
  it("finds the fixtures", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(27);
  });

  it.each(fixtures)("%s", (file) => {
    const name = file.replace(/\.yaml$/, "");
    const [prefix, ...rest] = name.split("-");
    const caseName = rest.join("-");
    expect(Object.keys(KIND_BY_PREFIX), `unknown kind prefix in ${file}`).toContain(prefix);
    const expected = expectedStatus(caseName);
    expect(expected, `no expected status for case "${caseName}": add it to STATUS_BY_CASE`).toBeDefined();

    const [subject, ...others] = loadFixture(file);
    if (KIND_BY_PREFIX[prefix]) expect(subject.kind).toBe(KIND_BY_PREFIX[prefix]);
    const pods = others.filter((o) => o.kind === "Pod");
    const revisions = others.filter((o) => o.kind === "ReplicaSet" || o.kind === "ControllerRevision");
    const related = pods.length ? { pods: podsOfRollout(subject, revisions, pods) } : undefined;

    const result = assessHealth(subject, related);
    expect(result.status, result.message).toBe(expected);
    if (REASON_BY_FIXTURE[name]) expect(result.reason).toBe(REASON_BY_FIXTURE[name]);
  });
});
