import type { SimRequest, SimResponse } from "./http.js";
import type { InstallationRec, RepoRec, State, TokenRec } from "./state.js";

// The routing table: each API area exports `Route[]` written with GitHub's
// own path templates ("/repos/{owner}/{repo}/pulls/{pull_number}"), so the
// template doubles as the per-endpoint counter key tests filter on.

/** Which credential a route accepts: app JWT, installation token (or anonymous read of a public repo), anything, or nothing. */
export type AuthKind = "app" | "installation" | "any" | "none";

export type Identity =
  | { kind: "app" }
  | { kind: "installation"; installation: InstallationRec; token: TokenRec }
  | { kind: "anonymous" };

export interface Ctx {
  s: State;
  req: SimRequest;
  params: Record<string, string>;
  identity: Identity;
  /** Resolved when the template has {owner}/{repo}; handlers of repo routes may rely on it. */
  repo: RepoRec;
  /** Login the action is attributed to (the app's bot user for installation tokens). */
  actor: string;
  viaApp: boolean;
}

export interface Route {
  method: string;
  path: string;
  auth: AuthKind;
  /** App permissions that allow the call (any one suffices): "contents" (level from method) or "contents:read". */
  perm?: string[];
  /** Content-creating endpoint, subject to the optional secondary rate limit. */
  creates?: boolean;
  handler(ctx: Ctx): SimResponse | Promise<SimResponse>;
}

export interface Match { route: Route; params: Record<string, string> }

type Seg = { lit: string } | { param: string; rest?: "+" | "*" };

export class Router {
  private compiled: { route: Route; segs: Seg[] }[] = [];

  constructor(routes: Route[]) {
    for (const route of routes) this.compiled.push({ route, segs: compile(route.path) });
  }

  match(method: string, rawPath: string): Match | undefined {
    const raw = rawPath.split("/").slice(1);
    if (raw.length && raw[raw.length - 1] === "") raw.pop();
    let parts: string[];
    try { parts = raw.map((p) => decodeURIComponent(p)); } catch { return undefined; }
    for (const { route, segs } of this.compiled) {
      if (route.method !== method) continue;
      const params = matchSegs(segs, parts);
      if (params) return { route, params };
    }
    return undefined;
  }
}

function compile(path: string): Seg[] {
  return path.split("/").slice(1).map((p) => {
    const m = /^\{(\w+)([+*]?)\}$/.exec(p);
    if (!m) return { lit: p };
    return m[2] ? { param: m[1], rest: m[2] as "+" | "*" } : { param: m[1] };
  });
}

function matchSegs(segs: Seg[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    if ("lit" in seg) {
      if (parts[i] !== seg.lit) return undefined;
      continue;
    }
    if (seg.rest) {
      const rest = parts.slice(i);
      if (seg.rest === "+" && rest.length === 0) return undefined;
      params[seg.param] = rest.join("/");
      return params;
    }
    if (parts[i] === undefined || parts[i] === "") return undefined;
    params[seg.param] = parts[i];
  }
  return parts.length === segs.length ? params : undefined;
}

/** The permission name/level pairs a route needs, deriving the level from the method. */
export function requiredPerms(route: Route): [string, "read" | "write"][] {
  const level = route.method === "GET" ? "read" : "write";
  return (route.perm ?? []).map((p) => {
    const [name, explicit] = p.split(":");
    return [name, (explicit as "read" | "write" | undefined) ?? level];
  });
}
