// metav1.Status errors, shaped and worded like k8s.io/apimachinery/pkg/api/errors.

export interface StatusCause { reason?: string; message?: string; field?: string }
export interface StatusDetails { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[]; retryAfterSeconds?: number }
export interface StatusBody {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure" | "Success";
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export class ApiError extends Error {
  constructor(readonly body: StatusBody, readonly headers: Record<string, string> = {}) {
    super(body.message ?? `HTTP ${body.code}`);
  }
  get code(): number {
    return this.body.code;
  }
}

/** What a resource is called in messages: "deployments.apps", "configmaps". */
export interface Resource { group: string; plural: string; kind: string }

export function qualifiedResource(r: Resource): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}
export function qualifiedKind(r: Resource): string {
  return r.group ? `${r.kind}.${r.group}` : r.kind;
}

export function status(code: number, reason: string | undefined, message: string, details?: StatusDetails): ApiError {
  const body: StatusBody = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, code };
  if (reason) body.reason = reason;
  if (details) body.details = details;
  return new ApiError(body);
}

function resDetails(r: Resource, name: string): StatusDetails {
  return r.group ? { name, group: r.group, kind: r.plural } : { name, kind: r.plural };
}

export function notFound(r: Resource, name: string): ApiError {
  return status(404, "NotFound", `${qualifiedResource(r)} "${name}" not found`, resDetails(r, name));
}
export function namespaceNotFound(ns: string): ApiError {
  return status(404, "NotFound", `namespaces "${ns}" not found`, { name: ns, kind: "namespaces" });
}
/** 404 for a path the server has no route for. */
export function noRoute(): ApiError {
  return status(404, "NotFound", "the server could not find the requested resource", {});
}
export function alreadyExists(r: Resource, name: string): ApiError {
  return status(409, "AlreadyExists", `${qualifiedResource(r)} "${name}" already exists`, resDetails(r, name));
}
export const STALE = "the object has been modified; please apply your changes to the latest version and try again";
export function conflict(r: Resource, name: string, why = STALE): ApiError {
  return status(409, "Conflict", `Operation cannot be fulfilled on ${qualifiedResource(r)} "${name}": ${why}`, resDetails(r, name));
}
export function badRequest(message: string): ApiError {
  return status(400, "BadRequest", message);
}
export function unauthorized(): ApiError {
  return status(401, "Unauthorized", "Unauthorized");
}
export function methodNotAllowed(): ApiError {
  return status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {});
}
export function unsupportedMediaType(contentType: string, accepted: string[]): ApiError {
  return status(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`, {});
}
/** A plain Go error surfacing from the apiserver: code 500 and no reason (ErrorToAPIStatus's default branch). */
export function serverError(message: string): ApiError {
  return status(500, undefined, message);
}

/** One field.Error: the type decides the cause reason and the message prefix. */
export interface FieldErr { type: "Required" | "Invalid" | "Forbidden" | "NotSupported"; field: string; detail?: string; value?: string }

const CAUSE: Record<FieldErr["type"], [string, string]> = {
  Required: ["FieldValueRequired", "Required value"],
  Invalid: ["FieldValueInvalid", "Invalid value"],
  Forbidden: ["FieldValueForbidden", "Forbidden"],
  NotSupported: ["FieldValueNotSupported", "Unsupported value"],
};

function errText(e: FieldErr): string {
  let s = CAUSE[e.type][1];
  if (e.value !== undefined) s += `: ${e.value}`;
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

/** 422 Invalid: `Deployment.apps "web" is invalid: spec.selector: Invalid value: ...: field is immutable`. */
export function invalid(kind: string, group: string, name: string, errs: FieldErr[]): ApiError {
  const texts = errs.map((e) => `${e.field}: ${errText(e)}`);
  const agg = texts.length === 1 ? texts[0] : `[${texts.join(", ")}]`;
  const qk = group ? `${kind}.${group}` : kind;
  const details: StatusDetails = { name, ...(group ? { group } : {}), kind, causes: errs.map((e) => ({ reason: CAUSE[e.type][0], message: errText(e), field: e.field })) };
  return status(422, "Invalid", `${qk} "${name}" is invalid: ${agg}`, details);
}
