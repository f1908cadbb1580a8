// Errors from the API server keep the server's own words (reason, message,
// causes) so they can be shown to the user as they are; they never carry the
// request body (which may hold a Secret).

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export class KubeApiError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly causes: StatusCause[];
  readonly retryAfterSeconds?: number;

  constructor(status: number, reason: string, message: string, causes: StatusCause[] = [], retryAfterSeconds?: number) {
    super(message);
    this.name = "KubeApiError";
    this.status = status;
    this.reason = reason;
    this.causes = causes;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Reads a Kubernetes `Status` body (or anything else) into a KubeApiError. */
export function errorFromResponse(status: number, body: unknown, retryAfter?: string | null): KubeApiError {
  const s = (body && typeof body === "object" ? body : {}) as {
    kind?: string;
    reason?: string;
    message?: string;
    details?: { causes?: StatusCause[] };
  };
  const reason = s.reason || defaultReason(status);
  const message = s.message || (typeof body === "string" && body ? body.slice(0, 500) : `HTTP ${status}`);
  const seconds = retryAfter ? Number(retryAfter) : undefined;
  return new KubeApiError(status, reason, message, s.details?.causes ?? [], Number.isFinite(seconds) ? seconds : undefined);
}

function defaultReason(status: number): string {
  switch (status) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 409:
      return "Conflict";
    case 410:
      return "Expired";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    default:
      return status >= 500 ? "InternalError" : "Unknown";
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 404;
}

/**
 * Server-side apply of a field the schema does not know fails the typed
 * conversion of the patch, which the API server reports as a plain 500
 * (kubernetes/kubernetes#122480): deterministic, never worth a retry.
 */
export function isSchemaError(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 500 && /failed to create typed (patch )?object|field not declared in schema/.test(err.message);
}
