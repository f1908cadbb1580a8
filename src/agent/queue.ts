// One job at a time per key (a PR, an environment), coalescing bursts: while
// a job runs, newer submissions replace each other and only the newest runs
// next. The replaced ones are reported as superseded, never run.

export type Job = () => Promise<void>;

interface Slot {
  running: Promise<void>;
  pending?: { job: Job; label: string; resolve: () => void };
}

export interface QueueHooks {
  onSuperseded?: (key: string, label: string, by: string) => void;
  onError?: (key: string, label: string, err: unknown) => void;
}

export class CoalescingQueue {
  private readonly slots = new Map<string, Slot>();

  constructor(private readonly hooks: QueueHooks = {}) {}

  /** Resolves when the submitted job ran, or was superseded by a newer one. */
  submit(key: string, label: string, job: Job): Promise<void> {
    const slot = this.slots.get(key);
    if (!slot) return this.start(key, label, job);
    if (slot.pending) {
      this.hooks.onSuperseded?.(key, slot.pending.label, label);
      slot.pending.resolve();
    }
    return new Promise<void>((resolve) => {
      slot.pending = { job, label, resolve };
    });
  }

  /** Keys with a job running or waiting. */
  busy(): string[] {
    return [...this.slots.keys()];
  }

  /** Resolves once no job is running or waiting (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.slots.size) await Promise.all([...this.slots.values()].map((s) => s.running));
  }

  private start(key: string, label: string, job: Job): Promise<void> {
    const slot: Slot = { running: Promise.resolve() };
    this.slots.set(key, slot);
    const run = async (j: Job, l: string): Promise<void> => {
      try {
        await j();
      } catch (err) {
        this.hooks.onError?.(key, l, err);
      }
    };
    const loop = async (): Promise<void> => {
      await run(job, label);
      while (slot.pending) {
        const next = slot.pending;
        slot.pending = undefined;
        await run(next.job, next.label);
        next.resolve();
      }
      this.slots.delete(key);
    };
    slot.running = loop();
    return slot.running;
  }
}
