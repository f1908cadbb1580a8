// The tail every write shares: identity and server-owned metadata, status
// subresource rules, defaulting, validation, managedFields, generation, no-op
// detection, dry-run, storing.

import { randomUUID } from "node:crypto";
import { apiVersionOf, res, tk, type Ctx, type Env } from "./context.js";
import { applyDefaults } from "./defaults.js";
import { compareObjects, readManagers, recordUpdate, writeManagers, type Managers } from "./managed.js";
import { schemaFor } from "./schema-kinds.js";
import { badRequest, invalid, notFound } from "./status.js";
import { findUnknown, validateObject } from "./validate.js";
import { clone, deepEqual, isObj, rfc3339, type Obj } from "./util.js";

export interface Written { code: number; body: Obj }

export function getLive(env: Env, ctx: Ctx): Obj | undefined {
  return env.store.get(tk(ctx.rt), ctx.ns, ctx.name ?? "");
}
export function mustGet(env: Env, ctx: Ctx): Obj {
  const live = getLive(env, ctx);
  if (!live) throw notFound(res(ctx.rt), ctx.name ?? "");
  return live;
}

/** Unknown fields in a non-apply write: Strict rejects (400), Warn prunes with a Warning header, Ignore prunes. */
export function checkUnknown(ctx: Ctx, obj: Obj): void {
  const { rt } = ctx;
  const directive = ctx.query.fieldValidation || "Warn";
  const unknown = findUnknown(obj, schemaFor(rt.group, rt.kind), directive !== "Strict");
  if (unknown.length === 0) return;
  const texts = unknown.map((u) => `unknown field "${u.jsonPath}"`);
  // Simplification: POST, PUT and non-apply PATCH all word the strict error like a create/update decode.
  if (directive === "Strict") throw badRequest(`${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: strict decoding error: ${texts.join(", ")}`);
  if (directive === "Warn") ctx.warnings.push(...texts);
}

function specOf(o: Obj): Obj {
  const { metadata: _m, status: _s, ...rest } = o;
  return rest;
}

export function commit(env: Env, ctx: Ctx, old: Obj | undefined, candidate: Obj, applied?: Managers): Written {
  const { rt } = ctx;
  const now = rfc3339();
  const next: Obj = clone(candidate);
  next.apiVersion = apiVersionOf(rt);
  next.kind = rt.kind;
  const meta: Obj = (next.metadata = isObj(next.metadata) ? next.metadata : {});
  if (old) {
    meta.name = old.metadata.name;
    meta.uid = old.metadata.uid;
    meta.creationTimestamp = old.metadata.creationTimestamp;
  } else {
    meta.uid = randomUUID();
    meta.creationTimestamp = now;
  }
  if (rt.namespaced) meta.namespace = ctx.ns;
  else delete meta.namespace;
  delete meta.resourceVersion;
  delete meta.selfLink;
  delete meta.generation;
  if (ctx.sub === "status") next.status = clone(candidate.status);
  else if (rt.status) next.status = clone(old?.status);
  if (next.status === undefined) delete next.status;

  applyDefaults(rt, next, old, env.alloc);
  const errs = validateObject(rt, next, old);
  if (errs.length) throw invalid(rt.kind, rt.group, String(meta.name ?? ""), errs);

  let managers = applied;
  if (!managers) {
    managers = readManagers(old);
    recordUpdate(managers, compareObjects(old, next, schemaFor(rt.group, rt.kind), ctx.sub, rt.status), ctx.manager, apiVersionOf(rt), ctx.sub);
  }
  const entries = writeManagers(managers, now);
  if (entries.length) meta.managedFields = entries;
  else delete meta.managedFields;

  if (rt.generation) {
    const prev = Number(old?.metadata.generation ?? 0);
    meta.generation = !old ? 1 : deepEqual(specOf(old), specOf(next)) ? prev : prev + 1;
  }

  if (old && deepEqual({ ...old, metadata: { ...old.metadata, resourceVersion: undefined } }, next)) return { code: 200, body: old };
  const isCRD = rt.group === "apiextensions.k8s.io" && rt.kind === "CustomResourceDefinition";
  if (ctx.dryRun) {
    // As the real server: a dry-run create has no resourceVersion; a dry-run update keeps the current one.
    if (old) meta.resourceVersion = old.metadata.resourceVersion;
    if (isCRD) env.registry.registerCRD(next, true);
    return { code: old ? 200 : 201, body: next };
  }
  if (isCRD) env.registry.registerCRD(next);
  return { code: old ? 200 : 201, body: env.store.write(tk(rt), next) };
}
