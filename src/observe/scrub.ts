// The last filter before text leaves the process (notifications, the status
// page): anything shaped like a credential is replaced. Reports are already
// masked where they are built (Secret values never get this far); this catches
// what a future message might carry by accident — tokens in error messages,
// URLs with user:password, Authorization headers echoed back by a server.

const PATTERNS: Array<[RegExp, string]> = [
  // GitHub tokens: installation (ghs_), OAuth (gho_), user-to-server (ghu_), PAT (ghp_), refresh (ghr_), fine-grained PATs.
  [/\bgh[pousr]_[A-Za-z0-9_-]{16,}/g, "gh*_***"],
  [/\bgithub_pat_[A-Za-z0-9_]{20,}/g, "github_pat_***"],
  // Old-style installation tokens ("v1." + 40 hex).
  [/\bv1\.[0-9a-f]{40}\b/g, "v1.***"],
  // Bearer / token authorization values, wherever they appear.
  [/\b(bearer)(\s+|=|:\s*)[A-Za-z0-9\-._~+/]{8,}=*/gi, "$1$2***"],
  [/\b(token|access_token|password)(\s+|=|:\s*)[A-Za-z0-9\-._~+/]{16,}=*/gi, "$1$2***"],
  // JWTs (the app's own, Kubernetes service account tokens).
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, "***jwt***"],
  // Credentials in URLs.
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi, "$1***@"],
];

export function scrub(text: string): string {
  let out = text;
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}
