// Which pods belong to the rollout being verified. A crashing pod of the
// previous ReplicaSet must not fail a deploy that is replacing it (it may be
// the very fix), so fast failure only looks at pods of the newest revision.
import type { KubeObject } from "../manifests/object.js";
import { generationOf, hasController, int, isControlledBy, statusOf, text } from "./fields.js";

const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
const DS_TEMPLATE_GENERATION = "deprecated.daemonset.template.generation";

/**
 * Pods of `workload`'s current rollout.
 * `revisions`: the ReplicaSets for a Deployment; the ControllerRevisions for a
 * DaemonSet (optional: without them the pod-template-generation label is used);
 * ignored for other kinds. Returns [] while the controller has not observed
 * the latest spec, because until then "newest" still means the previous one.
 */
export function podsOfRollout(workload: KubeObject, revisions: KubeObject[], pods: KubeObject[]): KubeObject[] {
  const namespace = workload.metadata.namespace ?? "";
  const candidates = pods.filter((p) => (p.metadata.namespace ?? "") === namespace);
  switch (workload.kind) {
    case "Deployment": {
      if (!observed(workload)) return [];
      const rs = newestReplicaSet(workload, revisions);
      const hash = rs && label(rs, "pod-template-hash");
      if (!rs || !hash) return [];
      return candidates.filter((p) => label(p, "pod-template-hash") === hash && ownedOrOrphan(p, rs));
    }
    case "StatefulSet": {
      const revision = text(statusOf(workload).updateRevision);
      if (!observed(workload) || !revision) return [];
      return candidates.filter((p) => label(p, "controller-revision-hash") === revision && ownedOrOrphan(p, workload));
    }
    case "DaemonSet": {
      if (!observed(workload)) return [];
      const owned = candidates.filter((p) => ownedOrOrphan(p, workload));
      const hash = newestControllerRevisionHash(workload, revisions);
      if (hash) return owned.filter((p) => label(p, "controller-revision-hash") === hash);
      const generation = workload.metadata.annotations?.[DS_TEMPLATE_GENERATION];
      return generation ? owned.filter((p) => label(p, "pod-template-generation") === generation) : [];
    }
    case "ReplicaSet":
    case "Job":
      return candidates.filter((p) => isControlledBy(p, workload));
    default:
      return [];
  }
}

/** The ReplicaSet the Deployment's revision annotation names, else the one with the highest revision. */
export function newestReplicaSet(deployment: KubeObject, replicaSets: KubeObject[]): KubeObject | undefined {
  const owned = replicaSets.filter(
    (rs) => rs.kind === "ReplicaSet" && (rs.metadata.namespace ?? "") === (deployment.metadata.namespace ?? "") && isControlledBy(rs, deployment),
  );
  const current = deployment.metadata.annotations?.[REVISION_ANNOTATION];
  const named = current ? owned.find((rs) => rs.metadata.annotations?.[REVISION_ANNOTATION] === current) : undefined;
  return named ?? newest(owned, (rs) => int(rs.metadata.annotations?.[REVISION_ANNOTATION]));
}

function newestControllerRevisionHash(ds: KubeObject, revisions: KubeObject[]): string | undefined {
  const owned = revisions.filter((r) => r.kind === "ControllerRevision" && isControlledBy(r, ds));
  const latest = newest(owned, (r) => int(r.revision));
  return latest && label(latest, "controller-revision-hash");
}

function newest(objects: KubeObject[], revisionOf: (o: KubeObject) => number): KubeObject | undefined {
  const created = (o: KubeObject) => text(o.metadata.creationTimestamp) ?? "";
  return [...objects].sort((a, b) => revisionOf(b) - revisionOf(a) || created(b).localeCompare(created(a)))[0];
}

function observed(workload: KubeObject): boolean {
  return int(statusOf(workload).observedGeneration) >= generationOf(workload);
}

function label(obj: KubeObject, key: string): string | undefined {
  return obj.metadata.labels?.[key];
}

/** Owned by `owner`, or carrying no controller reference at all (hand-built test data, adopted pods). */
function ownedOrOrphan(pod: KubeObject, owner: KubeObject): boolean {
  return isControlledBy(pod, owner) || !hasController(pod);
}
