// DELETE of one object or a collection.
// Simplifications: deletion is immediate (no finalizers, no graceful period, no
// garbage collection of dependents: propagationPolicy is validated, then ignored),
// except that deleting a Namespace removes everything in it at once, and deleting
// a CRD removes its custom objects.

import { mustGet, type Written } from "./commit.js";
import { apiVersionOf, res, tk, type Ctx, type Env } from "./context.js";
import { listItem, selected } from "./read.js";
import { conflict, invalid } from "./status.js";
import { isObj, rfc3339, type Obj } from "./util.js";

function options(ctx: Ctx, body: unknown): Obj {
  const o: Obj = isObj(body) ? body : {};
  const policy = ctx.query.propagationPolicy ?? o.propagationPolicy;
  if (policy !== undefined && !["Foreground", "Background", "Orphan"].includes(policy)) {
    throw invalid("DeleteOptions", "meta.k8s.io", "", [{ type: "NotSupported", field: "propagationPolicy", value: JSON.stringify(policy), detail: 'supported values: "Foreground", "Background", "Orphan", "nil"' }]);
  }
  return o;
}

function removeNow(env: Env, ctx: Ctx, live: Obj): Obj {
  const { rt } = ctx;
  if (ctx.dryRun) return live;
  if (!rt.group && rt.kind === "Namespace") {
    const ns = live.metadata.name;
    for (const key of env.store.typeKeys()) for (const o of env.store.list(key, ns)) env.store.remove(key, ns, o.metadata.name);
  }
  if (rt.group === "apiextensions.k8s.io" && rt.kind === "CustomResourceDefinition") {
    const types = env.registry.unregisterCRD(live.metadata.name);
    const key = types[0] ? `${types[0].group}/${types[0].kind}` : undefined;
    if (key) for (const o of env.store.list(key)) env.store.remove(key, o.metadata.namespace ?? "", o.metadata.name);
  }
  return env.store.remove(tk(rt), ctx.ns, live.metadata.name) ?? live;
}

export function removeOne(env: Env, ctx: Ctx, body: unknown): Written {
  const { rt } = ctx;
  const opts = options(ctx, body);
  const live = mustGet(env, ctx);
  const pre: Obj = isObj(opts.preconditions) ? opts.preconditions : {};
  if (pre.uid && pre.uid !== live.metadata.uid) throw conflict(res(rt), live.metadata.name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${live.metadata.uid}`);
  if (pre.resourceVersion && pre.resourceVersion !== live.metadata.resourceVersion) {
    throw conflict(res(rt), live.metadata.name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${live.metadata.resourceVersion}`);
  }
  const gone = removeNow(env, ctx, live);
  if (!rt.deleteReturnsObject) {
    const details = { name: live.metadata.name, ...(rt.group ? { group: rt.group } : {}), kind: rt.plural, uid: live.metadata.uid };
    return { code: 200, body: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details } };
  }
  const body2: Obj = { ...gone, apiVersion: apiVersionOf(rt), metadata: { ...gone.metadata, deletionTimestamp: rfc3339(), deletionGracePeriodSeconds: 0 } };
  if (!rt.group && rt.kind === "Namespace") body2.status = { ...(gone.status ?? {}), phase: "Terminating" };
  return { code: 200, body: body2 };
}

export function removeCollection(env: Env, ctx: Ctx, body: unknown): Written {
  options(ctx, body);
  const items = selected(env, ctx).map((o) => removeNow(env, { ...ctx, ns: o.metadata.namespace ?? "" }, o));
  const body2 = { kind: `${ctx.rt.kind}List`, apiVersion: apiVersionOf(ctx.rt), metadata: { resourceVersion: String(env.store.currentRv()) }, items: items.map((o) => listItem(ctx.rt, o)) };
  return { code: 200, body: body2 };
}
