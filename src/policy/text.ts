// Small phrasing helpers shared by the gate's rules, so every message reads the same.

export function shortSha(sha: string | undefined): string {
  return sha ? sha.slice(0, 7) : "an unknown commit";
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

function joinWith(items: string[], last: string): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} ${last} ${items[items.length - 1]}`;
}

/** "a", "a or b", "a, b or c" */
export function orList(items: string[]): string {
  return joinWith(items, "or");
}

/** "a", "a and b", "a, b and c" */
export function andList(items: string[]): string {
  return joinWith(items, "and");
}

/** The first `n` items and a count of the rest: "a; b; c and 2 more". */
export function firstOf(items: string[], n = 3): string {
  const shown = items.slice(0, n).join("; ");
  return items.length > n ? `${shown} and ${items.length - n} more` : shown;
}

/**
 * One plain line: strings here can come from a PR's manifests (image names,
 * object names), so newlines, control characters and angle brackets are
 * removed rather than trusted to every renderer, and length is capped.
 */
export function plain(s: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const line = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ").replace(/[<>]/g, "").replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
