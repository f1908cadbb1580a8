// The DaemonSet controller: one pod per (pretend) node its nodeSelector
// admits, pinned by node affinity, labelled with the template's hash and
// generation; rolling updates within maxUnavailable; the scheduling status.
// Simplification: the apiserver's deprecated.daemonset.template.generation
// annotation is maintained here (bumped when the template's hash changes).

import { podActive, podAvailable, podFromTemplate, podReady } from "./pods.js";
import { DS, NODES, POD, int, omitZero, owned, scaled, selects, templateHash, uniqueName, type Cx, type Obj } from "./shared.js";

const MANAGER = "kube-controller-manager";
const GENERATION = "deprecated.daemonset.template.generation";

export function syncDaemonSets(cx: Cx, each: (o: Obj, fn: (o: Obj) => void) => void): void {
  for (const ds of cx.cache.list(DS)) each(ds, () => syncDaemonSet(cx, ds));
}

function nodeOf(pod: Obj): string | undefined {
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  return pod.spec?.nodeName ?? terms[0]?.matchFields?.[0]?.values?.[0];
}

function templateGeneration(cx: Cx, ds: Obj, hash: string): Obj {
  const key = `ds-template/${ds.metadata.uid}`;
  const annotated = int(ds.metadata.annotations?.[GENERATION]);
  const known = cx.memo.get(key) as { hash: string; generation: number } | undefined;
  const generation = !known ? Math.max(annotated, 1) : known.hash === hash ? Math.max(annotated, known.generation) : Math.max(annotated, known.generation) + 1;
  cx.memo.set(key, { hash, generation });
  if (annotated === generation) return ds;
  return cx.write({ ...ds, metadata: { ...ds.metadata, annotations: { ...ds.metadata.annotations, [GENERATION]: String(generation) } } }, MANAGER) ?? ds;
}

function syncDaemonSet(cx: Cx, ds: Obj): void {
  const spec: Obj = ds.spec ?? {};
  const hash = templateHash(spec.template);
  ds = templateGeneration(cx, ds, hash);
  const generation = String(ds.metadata.annotations?.[GENERATION] ?? "1");
  const nodeSelector = spec.template?.spec?.nodeSelector;
  const nodes = NODES.filter((n) => !nodeSelector || selects({ matchLabels: nodeSelector }, n.labels)).map((n) => n.name);
  const ns = ds.metadata.namespace;
  const pods = () => owned(cx, POD, ds).filter(podActive);
  const remove = (p: Obj) => {
    cx.remove(p);
    cx.event(ds, { type: "Normal", reason: "SuccessfulDelete", message: `Deleted pod: ${p.metadata.name}`, component: "daemonset-controller" });
  };
  for (const p of pods()) if (!nodes.includes(nodeOf(p) ?? "")) remove(p);
  for (const node of nodes) {
    const onNode = pods().filter((p) => nodeOf(p) === node);
    for (const p of onNode.slice(1)) remove(p);
    if (onNode.length > 0) continue;
    const name = uniqueName(cx, POD, ns, ds.metadata.name);
    const pod = podFromTemplate(ds, spec.template ?? {}, name, { "controller-revision-hash": hash, "pod-template-generation": generation }, `${ds.metadata.name}-`);
    pod.spec.affinity = { ...(pod.spec.affinity ?? {}), nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [node] }] }] } } };
    if (cx.write(pod, MANAGER)) cx.event(ds, { type: "Normal", reason: "SuccessfulCreate", message: `Created pod: ${name}`, component: "daemonset-controller" });
  }
  if (spec.updateStrategy?.type !== "OnDelete") {
    const maxUnavailable = Math.max(1, scaled(spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1, nodes.length, true));
    const current = pods();
    let unavailable = nodes.length - current.filter((p) => podAvailable(cx, p, spec.minReadySeconds)).length;
    // Stale pods that are not available anyway go first; then as many as maxUnavailable allows.
    const stale = current.filter((p) => p.metadata.labels?.["controller-revision-hash"] !== hash)
      .sort((a, b) => Number(podAvailable(cx, a, spec.minReadySeconds)) - Number(podAvailable(cx, b, spec.minReadySeconds)));
    for (const p of stale) {
      const available = podAvailable(cx, p, spec.minReadySeconds);
      if (available && unavailable >= maxUnavailable) break;
      remove(p);
      if (available) unavailable++;
    }
  }
  const current = pods();
  const scheduled = nodes.filter((n) => current.some((p) => nodeOf(p) === n)).length;
  const available = current.filter((p) => podAvailable(cx, p, spec.minReadySeconds)).length;
  const status = omitZero({
    currentNumberScheduled: scheduled,
    desiredNumberScheduled: nodes.length,
    numberMisscheduled: 0,
    numberReady: current.filter(podReady).length,
    observedGeneration: ds.metadata.generation,
    updatedNumberScheduled: current.filter((p) => p.metadata.labels?.["controller-revision-hash"] === hash).length,
    numberAvailable: available,
    numberUnavailable: Math.max(0, nodes.length - available),
  }, ["currentNumberScheduled", "desiredNumberScheduled", "numberMisscheduled", "numberReady"]);
  cx.write({ ...ds, status }, MANAGER, "status");
}
