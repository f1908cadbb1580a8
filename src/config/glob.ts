// Glob patterns of the cluster registry: "*" is any run of characters except
// "/", "?" is one such character; everything else is literal. An empty value
// never matches, so an unresolved namespace cannot slip through "*".

const cache = new Map<string, RegExp>();

export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (value === "" || pattern === "") return false;
  const key = `${ignoreCase ? "i" : "s"}:${pattern}`;
  let re = cache.get(key);
  if (!re) {
    const body = [...pattern].map((c) => (c === "*" ? "[^/]*" : c === "?" ? "[^/]" : c.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("");
    re = new RegExp(`^${body}$`, ignoreCase ? "i" : "");
    cache.set(key, re);
  }
  return re.test(value);
}
