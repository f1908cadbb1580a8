import { describe, expect, it } from "vitest";
import { CoalescingQueue } from "../../src/agent/queue.js";
import { DeliveryLog } from "../../src/agent/deliveries.js";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("CoalescingQueue", () => {
  it("runs only the newest of a burst submitted while a job runs", async () => {
    const ran: string[] = [];
    const superseded: string[] = [];
    const q = new CoalescingQueue({ onSuperseded: (_k, label) => superseded.push(label) });
    const gate = deferred();
    const first = q.submit("pr-1", "a", async () => {
      ran.push("a");
      await gate.promise;
    });
    const rest = ["b", "c", "d"].map((l) => q.submit("pr-1", l, async () => void ran.push(l)));
    gate.resolve();
    await Promise.all([first, ...rest]);
    expect(ran).toEqual(["a", "d"]);
    expect(superseded).toEqual(["b", "c"]);
  });

  it("runs different keys concurrently and keeps going after a failing job", async () => {
    const errors: unknown[] = [];
    const q = new CoalescingQueue({ onError: (_k, _l, e) => errors.push(e) });
    const order: string[] = [];
    await Promise.all([
      q.submit("x", "boom", async () => {
        throw new Error("boom");
      }),
      q.submit("y", "ok", async () => void order.push("y")),
    ]);
    await q.submit("x", "again", async () => void order.push("x"));
    expect(order).toEqual(["y", "x"]);
    expect(errors).toHaveLength(1);
    await q.idle();
    expect(q.busy()).toEqual([]);
  });
});

describe("DeliveryLog", () => {
  it("accepts a delivery id once and forgets the oldest beyond capacity", () => {
    const log = new DeliveryLog(2);
    expect(log.firstTime("a")).toBe(true);
    expect(log.firstTime("a")).toBe(false);
    log.firstTime("b");
    log.firstTime("c");
    expect(log.firstTime("a")).toBe(true);
  });
});
