import { createSign, createVerify, generateKeyPairSync, randomBytes } from "node:crypto";
import { errorBody, field, iso, json, notFound, paginate, unprocessable } from "./http.js";
import type { SimResponse } from "./http.js";
import type { Identity, Route } from "./router.js";
import { appJson, installationJson, repoJson } from "./shapes.js";
import type { AccessLevel, InstallationRec, RateBucket, RepoRec, State, TokenRec } from "./state.js";

// GitHub App authentication as GitHub does it: an RS256 JWT (iss = app id,
// at most 10 minutes long) for /app endpoints, exchanged for an hour-long
// installation token used on repository endpoints. Wrong credentials get
// GitHub's 401 bodies, so the app's error handling is exercised for real.

export interface AppKeys { privateKey: string; publicKey: string }

let cached: AppKeys | undefined;

/**
 * PKCS#1 PEM, the format GitHub hands out when you generate an app key. Generated once per
 * process (RSA-2048 generation costs up to a second; tests start many simulators).
 */
export function generateAppKeys(): AppKeys {
  if (cached) return cached;
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  cached = { privateKey, publicKey };
  return cached;
}

/** An app JWT as @octokit/auth-app makes it (iat 30 s in the past, exp iat + 10 min). */
export function signAppJwt(appId: number, privateKey: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const input = `${enc({ alg: "RS256", typ: "JWT" })}.${enc({ iat: nowSeconds - 30, exp: nowSeconds + 570, iss: appId })}`;
  return `${input}.${createSign("RSA-SHA256").update(input).sign(privateKey, "base64url")}`;
}

const BAD_CREDENTIALS: SimResponse = { status: 401, body: { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" } };

function jwtError(message: string): SimResponse {
  return { status: 401, body: { message, documentation_url: "https://docs.github.com/rest", status: "401" } };
}

/** Maps an Authorization header to an identity, or the 401 GitHub would answer. */
export function authenticate(s: State, publicKey: string, header: string | undefined): Identity | SimResponse {
  if (!header) return { kind: "anonymous" };
  const m = /^(token|bearer)\s+(\S+)$/i.exec(header.trim());
  if (!m) return BAD_CREDENTIALS;
  const credential = m[2];
  if (credential.split(".").length === 3) return verifyJwt(s, publicKey, credential);
  const token = s.tokens.get(credential);
  if (!token || token.expiresAt <= s.now()) return BAD_CREDENTIALS;
  const installation = s.installations.get(token.installationId);
  return installation ? { kind: "installation", installation, token } : BAD_CREDENTIALS;
}

function verifyJwt(s: State, publicKey: string, jwt: string): Identity | SimResponse {
  const [h, p, sig] = jwt.split(".");
  let header: Record<string, unknown>, payload: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(h, "base64url").toString("utf8"));
    payload = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
  } catch {
    return jwtError("A JSON web token could not be decoded");
  }
  if (header.alg !== "RS256") return jwtError("A JSON web token could not be decoded");
  const valid = createVerify("RSA-SHA256").update(`${h}.${p}`).verify(publicKey, Buffer.from(sig, "base64url"));
  if (!valid) return jwtError("A JSON web token could not be decoded");
  if (String(payload.iss) !== String(s.appId)) return jwtError("'Issuer' claim ('iss') must be an Integer");
  // The app signs with the real clock, so JWT times are checked against it too: advanceTime()
  // models token expiry and rate windows on GitHub's side, not clock skew on the app's.
  const now = Math.floor(Date.now() / 1000);
  const [iat, exp] = [Number(payload.iat), Number(payload.exp)];
  if (!Number.isInteger(iat) || iat > now + 60) return jwtError("'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued.");
  if (!Number.isInteger(exp) || exp <= now) return jwtError("'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires.");
  if (exp - iat > 600) return jwtError("'Expiration time' claim ('exp') is too far in the future.");
  return { kind: "app" };
}

export function mintToken(s: State, installationId: number, permissions?: Record<string, AccessLevel>, repos?: Set<string>): TokenRec {
  const installation = s.installations.get(installationId)!;
  const token: TokenRec = {
    token: `ghs_${randomBytes(27).toString("base64url").slice(0, 36)}`,
    installationId,
    expiresAt: s.now() + 3600_000,
    permissions: permissions ?? { ...installation.permissions },
    repos,
  };
  s.tokens.set(token.token, token);
  return token;
}

/** Installation covers the repo (and the token was not narrowed away from it). Anonymous sees public repos. */
export function canSeeRepo(identity: Identity, repo: RepoRec): boolean {
  const key = repo.fullName.toLowerCase();
  if (identity.kind === "anonymous") return !repo.private;
  if (identity.kind === "app") return false;
  const i = identity.installation;
  if (i.account.toLowerCase() !== repo.owner.toLowerCase()) return !repo.private;
  if (i.selection === "selected" && !i.repos.has(key)) return !repo.private;
  return !identity.token.repos || identity.token.repos.has(key);
}

export function hasPermission(granted: Record<string, AccessLevel>, name: string, level: "read" | "write"): boolean {
  if (name === "metadata" && level === "read") return true;
  const g = granted[name];
  return g === "write" || (g === "read" && level === "read");
}

/** The primary rate-limit bucket an identity spends from. */
export function bucketFor(s: State, identity: Identity): { key: string; bucket: RateBucket } {
  const key = identity.kind === "installation" ? `installation:${identity.installation.id}` : identity.kind;
  let bucket = s.rateBuckets.get(key);
  if (!bucket || s.now() >= bucket.windowStart + 3600_000) {
    bucket = { limit: identity.kind === "anonymous" ? 60 : s.rateLimit, used: 0, windowStart: s.now() };
    s.rateBuckets.set(key, bucket);
  }
  return { key, bucket };
}

export function rateHeaders(b: RateBucket): Record<string, string> {
  return {
    "x-ratelimit-limit": String(b.limit),
    "x-ratelimit-remaining": String(Math.max(0, b.limit - b.used)),
    "x-ratelimit-reset": String(Math.floor((b.windowStart + 3600_000) / 1000)),
    "x-ratelimit-used": String(b.used),
    "x-ratelimit-resource": "core",
  };
}

function installation(s: State, id: string): InstallationRec | undefined {
  return s.installations.get(Number(id));
}

function createToken(s: State, id: string, body: unknown): SimResponse {
  const inst = installation(s, id);
  if (!inst) return notFound();
  const wanted = field(body, "permissions") as Record<string, AccessLevel> | undefined;
  if (wanted && Object.entries(wanted).some(([k, v]) => !hasPermission(inst.permissions, k, v))) {
    return unprocessable("The permissions requested are not granted to this installation.");
  }
  const names = field(body, "repositories") as string[] | undefined;
  const ids = field(body, "repository_ids") as number[] | undefined;
  let repos: Set<string> | undefined;
  if (names || ids) {
    const chosen = [...s.repos.values()].filter((r) => r.owner.toLowerCase() === inst.account.toLowerCase()
      && (names?.includes(r.name) || ids?.includes(r.id)));
    if (chosen.length !== (names?.length ?? 0) + (ids?.length ?? 0)) return unprocessable("There is at least one repository that does not exist or is not accessible to the parent installation.");
    repos = new Set(chosen.map((r) => r.fullName.toLowerCase()));
  }
  const t = mintToken(s, inst.id, wanted, repos);
  return json(201, {
    token: t.token, expires_at: iso(t.expiresAt), permissions: t.permissions, repository_selection: repos ? "selected" : inst.selection,
    ...(repos ? { repositories: [...repos].map((k) => repoJson(s, s.repos.get(k)!)) } : {}),
  });
}

function reposOf(s: State, inst: InstallationRec, token: TokenRec): RepoRec[] {
  return [...s.repos.values()].filter((r) => canSeeRepo({ kind: "installation", installation: inst, token }, r)
    && r.owner.toLowerCase() === inst.account.toLowerCase());
}

export const authRoutes: Route[] = [
  { method: "GET", path: "/app", auth: "app", handler: ({ s }) => json(200, appJson(s)) },
  { method: "GET", path: "/app/installations", auth: "app", handler: ({ s, req }) => paginate(req, [...s.installations.values()], (i) => installationJson(s, i)) },
  { method: "GET", path: "/app/installations/{installation_id}", auth: "app", handler: ({ s, params }) => {
    const i = installation(s, params.installation_id);
    return i ? json(200, installationJson(s, i)) : notFound();
  } },
  { method: "POST", path: "/app/installations/{installation_id}/access_tokens", auth: "app", handler: ({ s, params, req }) => createToken(s, params.installation_id, req.body) },
  { method: "GET", path: "/repos/{owner}/{repo}/installation", auth: "app", handler: ({ s, repo }) => {
    const i = s.installationFor(repo.owner);
    return i && (i.selection === "all" || i.repos.has(repo.fullName.toLowerCase())) ? json(200, installationJson(s, i)) : notFound();
  } },
  ...["orgs/{org}", "users/{username}"].map((p): Route => ({ method: "GET", path: `/${p}/installation`, auth: "app", handler: ({ s, params }) => {
    const i = s.installationFor(params.org ?? params.username);
    return i ? json(200, installationJson(s, i)) : notFound();
  } })),
  { method: "GET", path: "/installation/repositories", auth: "installation", handler: ({ s, req, identity }) => {
    if (identity.kind !== "installation") return { status: 403, body: errorBody(403, "This endpoint requires you to be authenticated as an installation.") };
    const repos = reposOf(s, identity.installation, identity.token);
    const page = paginate(req, repos, (r) => repoJson(s, r));
    return { ...page, body: { total_count: repos.length, repository_selection: identity.installation.selection, repositories: page.body } };
  } },
  { method: "GET", path: "/rate_limit", auth: "any", handler: ({ s, identity }) => {
    const { bucket } = bucketFor(s, identity);
    const core = { limit: bucket.limit, used: bucket.used, remaining: Math.max(0, bucket.limit - bucket.used), reset: Math.floor((bucket.windowStart + 3600_000) / 1000) };
    return json(200, { resources: { core, search: { ...core, limit: 30, used: 0, remaining: 30 }, graphql: core }, rate: core });
  } },
];
