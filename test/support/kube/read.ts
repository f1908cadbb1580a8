// GET of one object and LIST with selectors and limit/continue pagination.
// Simplification: resourceVersion/resourceVersionMatch on lists are ignored (always
// the latest state), and a continue token resumes after the last key rather than
// serving a consistent snapshot.

import { apiVersionOf, res, tk, type Ctx, type Env } from "./context.js";
import type { ResourceType } from "./discovery.js";
import { fieldMatcher, labelMatcher } from "./selectors.js";
import { badRequest, notFound, status } from "./status.js";
import type { Obj } from "./util.js";

/** The object as served through rt's version (custom kinds may be read through several versions). */
export function served(rt: ResourceType, obj: Obj): Obj {
  const av = apiVersionOf(rt);
  return obj.apiVersion === av ? obj : { ...obj, apiVersion: av };
}

export function getOne(env: Env, ctx: Ctx): Obj {
  const obj = env.store.get(tk(ctx.rt), ctx.ns, ctx.name ?? "");
  if (!obj) throw notFound(res(ctx.rt), ctx.name ?? "");
  return served(ctx.rt, obj);
}

function objKey(o: Obj): string {
  return `${o.metadata.namespace ?? ""}/${o.metadata.name}`;
}

/** Objects matching the request's namespace and selectors, sorted by namespace/name like etcd keys. */
export function selected(env: Env, ctx: Ctx): Obj[] {
  const { rt } = ctx;
  const byLabel = labelMatcher(ctx.query.labelSelector);
  const byField = fieldMatcher(ctx.query.fieldSelector, rt.kind, rt.custom);
  const all = env.store.list(tk(rt), rt.namespaced && ctx.ns ? ctx.ns : undefined);
  const keyed = all.filter((o) => byLabel(o) && byField(o)).map((o) => [objKey(o), o] as const);
  keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return keyed.map(([, o]) => o);
}

interface Continue { rv: string; start: string }

function decodeContinue(token: string): Continue {
  try {
    const c = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Continue;
    if (typeof c.start === "string") return c;
  } catch {
    // fall through
  }
  throw badRequest("continue key is not valid: illegal base64 data at input byte 0");
}

/** Items of built-in lists carry no apiVersion/kind (typed lists); custom ones do (unstructured). */
export function listItem(rt: ResourceType, o: Obj): Obj {
  if (rt.custom) return served(rt, o);
  const { apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

export function listObjects(env: Env, ctx: Ctx): Obj {
  const { rt } = ctx;
  let items = selected(env, ctx);
  const meta: Obj = { resourceVersion: String(env.store.currentRv()) };
  if (ctx.query.continue) {
    const c = decodeContinue(ctx.query.continue);
    items = items.filter((o) => objKey(o) > c.start);
    meta.resourceVersion = c.rv;
  }
  const limit = Number(ctx.query.limit ?? 0);
  if (ctx.query.limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) throw status(400, "BadRequest", `invalid limit: ${ctx.query.limit}`);
  if (limit > 0 && items.length > limit) {
    const page = items.slice(0, limit);
    meta.continue = Buffer.from(JSON.stringify({ rv: meta.resourceVersion, start: objKey(page[page.length - 1]) })).toString("base64url");
    meta.remainingItemCount = items.length - limit;
    items = page;
  }
  return { kind: `${rt.kind}List`, apiVersion: apiVersionOf(rt), metadata: meta, items: items.map((o) => listItem(rt, o)) };
}
