// Loads a case from test/fixtures/diff/ and plans it, the way the cluster
// adapter would feed buildPlan: predicted defaults to the desired object (the
// dry-run echoing it back), and the inventory is every live object carrying
// the ApplySet membership label.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { idKey, idOf } from "../../src/manifests/object.js";
import type { DesiredObject, KubeObject } from "../../src/manifests/object.js";
import { APPLYSET_PART_OF_LABEL, buildPlan } from "../../src/diff/index.js";
import type { Plan, PlanInput } from "../../src/diff/index.js";

const dir = fileURLToPath(new URL("../fixtures/diff/", import.meta.url));

function load(file: string): KubeObject[] {
  if (!existsSync(dir + file)) return [];
  return parseAllDocuments(readFileSync(dir + file, "utf8")).map((doc) => doc.toJS() as KubeObject);
}

function byKey(objects: KubeObject[]): Map<string, KubeObject> {
  return new Map(objects.map((o) => [idKey(idOf(o)), o]));
}

export function planCase(name: string, overrides: Partial<PlanInput> = {}): Plan {
  const desiredObjects = load(`${name}-desired.yaml`);
  const desired: DesiredObject[] = desiredObjects.map((object, doc) => ({ object, source: { file: `deploy/${name}.yaml`, doc } }));
  const predicted = byKey(desiredObjects);
  for (const [key, obj] of byKey(load(`${name}-predicted.yaml`))) predicted.set(key, obj);
  const liveObjects = load(`${name}-live.yaml`);
  return buildPlan({
    environment: "production",
    desired,
    predicted,
    live: byKey(liveObjects),
    inventory: liveObjects.filter((o) => o.metadata.labels?.[APPLYSET_PART_OF_LABEL]).map(idOf),
    prune: true,
    ignore: [],
    errors: [],
    clientSideFallback: false,
    ...overrides,
  });
}

/** "create 0, update 1, delete 0, unchanged 2": one comparable string per plan. */
export function counts(plan: Plan): string {
  const s = plan.summary;
  return `create ${s.create}, update ${s.update}, delete ${s.delete}, unchanged ${s.unchanged}`;
}

/** "update Deployment shop/web" per changed entry, in plan order. */
export function actions(plan: Plan): string[] {
  return plan.changes.filter((c) => c.action !== "unchanged").map((c) => `${c.action} ${c.id.kind} ${c.id.namespace ?? ""}/${c.id.name}`);
}
