// The contract between bench/run.ts and a suite. A suite is a module
// `bench/<name>.ts` exporting `suite: Suite`; run.ts registers it in
// bench/suites.ts, prints its table and stores its `json` in results.json.

/** A table cell: numbers are formatted by bench/table.ts; undefined prints as "-". */
export type Cell = string | number | undefined;

export interface BenchOptions {
  /** PRNG seed for every generated workload (--seed, default 42). */
  seed: number;
  /** Latency the simulated API server adds to every request (--latency, default 3 ms). */
  latencyMs: number;
  /** Object counts to run (--sizes 100,1000); undefined: the suite's defaults. */
  sizes?: number[];
  /** Repetitions per case (--runs, default 3); the first is the cold run. */
  runs: number;
  /** Every --flag value given on the command line, for suite-specific options. */
  flags: Record<string, string | true>;
  /** Progress for humans, on stderr (the table goes to stdout). */
  log(message: string): void;
}

export interface SuiteResult {
  /** Printed above the table. */
  title: string;
  columns: string[];
  rows: Cell[][];
  /** Printed under the table, one line each (growth ratios, caveats, where the time went). */
  notes: string[];
  /** Every figure, machine-readable, stored under results.json's suites.<name>. */
  json: unknown;
}

export interface Suite {
  name: string;
  description: string;
  run(opts: BenchOptions): Promise<SuiteResult>;
}
