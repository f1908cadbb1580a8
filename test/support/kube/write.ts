// POST, PUT and PATCH (merge, strategic merge, JSON patch, server-side apply).

import { serverSideApply } from "./apply.js";
import { checkUnknown, commit, getLive, mustGet, type Written } from "./commit.js";
import { apiVersionOf, res, type Ctx, type Env } from "./context.js";
import { jsonPatch, mergePatch, strategicMergePatch } from "./patch.js";
import { schemaFor } from "./schema-kinds.js";
import { alreadyExists, badRequest, conflict, invalid, namespaceNotFound, serverError } from "./status.js";
import { findUnknown } from "./validate.js";
import { isObj, randomSuffix, type Obj } from "./util.js";

export const PATCH_TYPES = ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"];

function requireNamespace(env: Env, ctx: Ctx): void {
  if (ctx.rt.namespaced && !env.store.get("/Namespace", "", ctx.ns)) throw namespaceNotFound(ctx.ns);
}

function asObject(body: unknown): Obj {
  if (!isObj(body)) throw badRequest("the object provided is unrecognized (must be of type Object)");
  return body;
}

/** checkName in the apiserver's handlers: the body must name the object the URL names. */
function checkName(ctx: Ctx, obj: Obj): void {
  const name = obj.metadata?.name ?? "";
  if (ctx.name !== undefined && name !== ctx.name) throw badRequest(`the name of the object (${name}) does not match the name on the URL (${ctx.name})`);
  const ns = obj.metadata?.namespace;
  if (ctx.rt.namespaced && ns && ns !== ctx.ns) throw badRequest(`the namespace of the object (${ns}) does not match the namespace on the URL (${ctx.ns})`);
}

function checkPrecondition(ctx: Ctx, obj: Obj, live: Obj): void {
  const rv = obj.metadata?.resourceVersion;
  if (rv && rv !== live.metadata.resourceVersion) throw conflict(res(ctx.rt), live.metadata.name);
}

export function create(env: Env, ctx: Ctx, body: unknown): Written {
  const obj = asObject(body);
  const meta: Obj = (obj.metadata = isObj(obj.metadata) ? { ...obj.metadata } : {});
  if (ctx.rt.namespaced && meta.namespace && meta.namespace !== ctx.ns) throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
  checkUnknown(ctx, obj);
  if (!meta.name && typeof meta.generateName === "string" && meta.generateName) meta.name = meta.generateName + randomSuffix();
  if (!meta.name) throw invalid(ctx.rt.kind, ctx.rt.group, "", [{ type: "Required", field: "metadata.name", detail: "name or generateName is required" }]);
  if (meta.resourceVersion) throw badRequest("resourceVersion should not be set on objects to be created");
  const c = { ...ctx, name: String(meta.name) };
  requireNamespace(env, c);
  if (getLive(env, c)) throw alreadyExists(res(ctx.rt), c.name);
  return commit(env, c, undefined, obj);
}

export function replace(env: Env, ctx: Ctx, body: unknown): Written {
  const obj = asObject(body);
  checkName(ctx, obj);
  const live = mustGet(env, ctx);
  checkUnknown(ctx, obj);
  checkPrecondition(ctx, obj, live);
  if (ctx.sub === "status") return commit(env, ctx, live, { ...live, status: obj.status });
  const meta = { ...obj.metadata };
  if (meta.managedFields === undefined) meta.managedFields = live.metadata.managedFields;
  return commit(env, ctx, live, { ...obj, metadata: meta });
}

export function patch(env: Env, ctx: Ctx, contentType: string, body: unknown): Written {
  if (contentType === "application/apply-patch+yaml") return apply(env, ctx, body);
  if (ctx.query.force !== undefined) {
    throw invalid("PatchOptions", "meta.k8s.io", "", [{ type: "Forbidden", field: "force", detail: "may not be specified for non-apply patch" }]);
  }
  const live = mustGet(env, ctx);
  const schema = schemaFor(ctx.rt.group, ctx.rt.kind);
  let patched: unknown;
  if (contentType === "application/json-patch+json") patched = jsonPatch(live, body);
  else {
    const p = asObject(body);
    if (isObj(p.metadata)) checkPrecondition(ctx, p, live);
    patched = contentType === "application/merge-patch+json" ? mergePatch(live, p) : strategicMergePatch(live, p, schema);
  }
  const obj = asObject(patched);
  checkName(ctx, obj);
  checkUnknown(ctx, obj);
  if (ctx.sub === "status") return commit(env, ctx, live, { ...live, status: obj.status });
  return commit(env, ctx, live, obj);
}

export function apply(env: Env, ctx: Ctx, body: unknown): Written {
  const { rt } = ctx;
  if (!ctx.query.fieldManager) {
    throw invalid("PatchOptions", "meta.k8s.io", "", [{ type: "Required", field: "fieldManager", detail: "is required for apply patch" }]);
  }
  const cfg = asObject(body);
  const want = apiVersionOf(rt);
  if (cfg.apiVersion !== want) throw badRequest(`Incorrect version specified in apply patch. Specified patch version: ${cfg.apiVersion ?? ""}, expected: ${want}`);
  if (cfg.kind !== rt.kind) throw badRequest(`Incorrect kind specified in apply patch. Specified patch kind: ${cfg.kind ?? ""}, expected: ${rt.kind}`);
  checkName(ctx, cfg);
  if (cfg.metadata?.managedFields !== undefined) throw badRequest("metadata.managedFields must be nil");
  const schema = schemaFor(rt.group, rt.kind);
  // Unknown fields fail the typed conversion of the patch: a plain error, so 500 without a reason,
  // whatever fieldValidation says (kubernetes/kubernetes#122480, #139253).
  const unknown = findUnknown(cfg, schema, false);
  if (unknown.length) {
    const what = unknown.length === 1 ? `${unknown[0].ssaPath}: field not declared in schema` : `errors:\n${unknown.map((u) => `  ${u.ssaPath}: field not declared in schema`).join("\n")}`;
    throw serverError(`failed to create typed patch object (${ctx.ns}/${ctx.name}; ${rt.group}/${rt.version}, Kind=${rt.kind}): ${what}`);
  }
  const live = getLive(env, ctx);
  if (!live) {
    if (ctx.sub === "status") mustGet(env, ctx);
    requireNamespace(env, ctx);
  } else checkPrecondition(ctx, cfg, live);
  const skeleton: Obj = { apiVersion: want, kind: rt.kind, metadata: { name: ctx.name, ...(rt.namespaced ? { namespace: ctx.ns } : {}) } };
  const { obj, managers } = serverSideApply({
    schema, live, skeleton, config: cfg, manager: ctx.query.fieldManager, apiVersion: want,
    force: ctx.query.force === "true", sub: ctx.sub, statusSub: rt.status,
  });
  return commit(env, ctx, live, obj, managers);
}

