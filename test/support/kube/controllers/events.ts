// Events as client-go's recorder writes them (v1 Event, count and
// lastTimestamp bumped on repeats), and the kubelet's events per container stage.

import { configErrorMessage, invalidImageMessage, pullError, type ContainerView } from "./containers.js";
import { EVENT, time, type Cache, type Cx, type EventSpec, type Obj } from "./shared.js";

export type Recorder = (cx: Cx, involved: Obj, e: EventSpec) => void;

export function eventRecorder(cache: Cache): Recorder {
  const names = new Map<string, string>();
  let seq = 0;
  return (cx, involved, e) => {
    const ns = involved.metadata.namespace ?? "default";
    const key = `${involved.metadata.uid}|${e.fieldPath ?? ""}|${e.reason}|${e.message}`;
    const now = time(cx.now);
    const known = names.get(key);
    const existing = known ? cache.get(EVENT, ns, known) : undefined;
    if (existing) {
      cx.write({ ...existing, count: Number(existing.count ?? 1) + 1, lastTimestamp: now }, e.component);
      return;
    }
    // As client-go names them: the object's name and the time in nanoseconds, in hex.
    const name = `${involved.metadata.name}.${(BigInt(cx.now) * 1_000_000n + BigInt(seq++ % 1_000_000)).toString(16)}`;
    names.set(key, name);
    cx.write({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace: ns },
      involvedObject: {
        apiVersion: involved.apiVersion, kind: involved.kind, name: involved.metadata.name, namespace: ns,
        uid: involved.metadata.uid, resourceVersion: involved.metadata.resourceVersion, ...(e.fieldPath ? { fieldPath: e.fieldPath } : {}),
      },
      reason: e.reason,
      message: e.message,
      source: { component: e.component, ...(e.host ? { host: e.host } : {}) },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type: e.type,
      eventTime: null,
      reportingComponent: e.component,
      reportingInstance: e.host ?? "",
    }, e.component);
  };
}

/** The kubelet's events when a container enters a new stage. */
export function containerEvents(cx: Cx, pod: Obj, c: Obj, view: ContainerView, before: string | undefined): void {
  const image = String(c.image ?? "");
  const host = pod.spec?.nodeName;
  const ev = (type: "Normal" | "Warning", reason: string, message: string) => cx.event(pod, { type, reason, message, component: "kubelet", host, fieldPath: `spec.containers{${c.name}}` });
  const stage = view.stage;
  if (view.ran && (before === "creating" || before === undefined)) {
    ev("Normal", "Pulled", `Container image "${image}" already present on machine`);
    ev("Normal", "Created", `Created container: ${c.name}`);
    ev("Normal", "Started", `Started container ${c.name}`);
  }
  if (stage.startsWith("backoff-")) {
    ev("Warning", "BackOff", `Back-off restarting failed container ${c.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`);
  } else if (stage === "pull-backoff" || stage === "pull-error") {
    ev("Normal", "Pulling", `Pulling image "${image}"`);
    ev("Warning", "Failed", `Failed to pull image "${image}": ${pullError(image)}`);
    ev("Warning", "Failed", "Error: ErrImagePull");
    if (stage === "pull-backoff") {
      ev("Normal", "BackOff", `Back-off pulling image "${image}"`);
      ev("Warning", "Failed", "Error: ImagePullBackOff");
    }
  } else if (stage === "config-error") {
    ev("Warning", "Failed", `Error: ${configErrorMessage(c)}`);
  } else if (stage === "invalid") {
    ev("Warning", "InspectFailed", invalidImageMessage(image));
    ev("Warning", "Failed", "Error: InvalidImageName");
  } else if (stage === "unready") {
    ev("Warning", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503");
  }
}
