// Readiness: can this replica do its job right now? Two things must hold:
//   credentials  the app's private key signs a JWT (app.auth works)
//   clusters     every registered cluster answers GET /version (or /api)
// The answer is cached (default 10 s) and shared by concurrent probes, so a
// kubelet probing every few seconds costs the clusters at most one GET each
// per TTL. Liveness (/healthz) is separate and never touches the network.
import type { KubeClient } from "../cluster/client.js";
import { scrub } from "./scrub.js";

export interface Check {
  name: string; // "credentials", "registry", "cluster:<name>"
  ok: boolean;
  error?: string;
  ms: number;
}

export interface ReadyReport {
  ready: boolean;
  checkedAt: string;
  checks: Check[];
}

export interface ReadinessProbes {
  /** Resolves when the app can mint its JWT; never returns the token. */
  credentials(): Promise<void>;
  /** Why the cluster registry is unusable, if it is. */
  registryError(): string | undefined;
  clusters(): string[];
  client(cluster: string): KubeClient | undefined;
}

export class Readiness {
  private cached?: { at: number; report: ReadyReport };
  private inFlight?: Promise<ReadyReport>;

  constructor(
    private readonly probes: ReadinessProbes,
    private readonly ttlMs = 10_000,
    private readonly timeoutMs = 3_000,
    private readonly now: () => number = Date.now,
  ) {}

  async report(): Promise<ReadyReport> {
    if (this.cached && this.now() - this.cached.at < this.ttlMs) return this.cached.report;
    this.inFlight ??= this.run().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async run(): Promise<ReadyReport> {
    const checks = await Promise.all([
      this.timed("credentials", () => this.probes.credentials()),
      ...this.clusterChecks(),
    ]);
    const registry = this.probes.registryError();
    if (registry !== undefined) checks.push({ name: "registry", ok: false, error: scrub(registry), ms: 0 });
    const report = { ready: checks.every((c) => c.ok), checkedAt: new Date(this.now()).toISOString(), checks };
    this.cached = { at: this.now(), report };
    return report;
  }

  private clusterChecks(): Array<Promise<Check>> {
    return this.probes.clusters().map((name) =>
      this.timed(`cluster:${name}`, async () => {
        const client = this.probes.client(name);
        if (!client) throw new Error("not in the cluster registry");
        try {
          await client.request("GET", "/version", { retry: false });
        } catch (err) {
          // Some clusters hide /version from the identity Converge uses; /api answers to anyone who may discover.
          if ((err as { status?: number }).status !== 403 && (err as { status?: number }).status !== 404) throw err;
          await client.request("GET", "/api", { retry: false });
        }
      }),
    );
  }

  private async timed(name: string, fn: () => Promise<void>): Promise<Check> {
    const t0 = this.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      timer.unref();
    });
    try {
      await Promise.race([fn(), timeout]);
      return { name, ok: true, ms: this.now() - t0 };
    } catch (err) {
      return { name, ok: false, error: scrub((err as Error).message ?? String(err)).slice(0, 500), ms: this.now() - t0 };
    } finally {
      clearTimeout(timer);
    }
  }
}
