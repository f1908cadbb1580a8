// GitHub redelivers webhooks (manual redelivery, timeouts): each delivery id
// is processed once. Bounded memory: the oldest ids are forgotten first.

export class DeliveryLog {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  /** True the first time an id is offered, false for every repeat. */
  firstTime(id: string | undefined): boolean {
    if (!id) return true; // no id (e.g. a local test event): nothing to dedupe on
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.values().next().value as string);
    return true;
  }
}
