// Names a recorded Kubernetes request by what it does (get, list, apply,
// dry-run apply, discovery…) rather than by its HTTP method, so a table can say
// where the requests went.

export interface RequestLike {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
}

export function verbOf(r: RequestLike): string {
  if (r.query.watch === "true" || r.query.watch === "1") return "watch";
  const seg = r.path.split("/").filter(Boolean);
  // /api/v1/... or /apis/<group>/<version>/...
  const rest = seg[0] === "api" ? seg.slice(2) : seg[0] === "apis" ? seg.slice(3) : undefined;
  if (!rest || rest.length === 0) return "discovery";
  const scoped = rest[0] === "namespaces" && rest.length >= 3 ? rest.slice(2) : rest;
  const collection = scoped.length === 1;
  switch (r.method) {
    case "GET":
      return collection ? "list" : "get";
    case "PATCH":
      if (r.contentType === "application/apply-patch+yaml") return r.query.dryRun ? "apply (dry-run)" : "apply";
      return r.query.dryRun ? "patch (dry-run)" : "patch";
    case "POST":
      return r.query.dryRun ? "create (dry-run)" : "create";
    case "PUT":
      return "update";
    case "DELETE":
      return collection ? "deletecollection" : "delete";
    default:
      return r.method.toLowerCase();
  }
}

/** Counts by verb, largest first. */
export function countVerbs(rs: Iterable<RequestLike>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rs) out[verbOf(r)] = (out[verbOf(r)] ?? 0) + 1;
  return sortCounts(out);
}

export function sortCounts(c: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(c).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

export function describeCounts(c: Record<string, number>): string {
  return Object.entries(sortCounts(c)).map(([k, v]) => `${k} ${v.toLocaleString("en-US")}`).join(", ");
}
