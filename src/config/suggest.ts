// "did you mean approvals?" for typos in keys and enum values.

/** The closest candidate, ignoring case and "-"/"_", when it is near enough to be the intent. */
export function suggest(input: string, candidates: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, "");
  const a = norm(input);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(a, norm(c));
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  // One edit per four characters (at least one, at most three) keeps guesses plausible.
  const limit = Math.min(3, Math.max(1, Math.floor(a.length / 4)));
  return bestDistance <= limit ? best : undefined;
}

/** Levenshtein distance, with a cap on input length because keys are short and input is untrusted. */
function distance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Infinity;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
