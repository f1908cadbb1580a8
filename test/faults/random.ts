// A seeded PRNG (mulberry32) for fault tests: the same seed, the same faults,
// the same kill points — a failure reproduces.
export interface Rng {
  next(): number; // [0, 1)
  int(min: number, max: number): number; // inclusive
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

export function seeded(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)]!,
  };
}

/** The seed from CONVERGE_FAULT_SEED when set (to replay a run), else the given default. */
export function faultSeed(fallback: number): number {
  const v = Number(process.env.CONVERGE_FAULT_SEED);
  return Number.isFinite(v) && process.env.CONVERGE_FAULT_SEED ? v : fallback;
}
