// ?watch=1 streams: newline-delimited JSON watch events over a chunked response.
// Events after the given resourceVersion are replayed from the store's bounded
// history (older: an ERROR event with a 410 Expired Status, as the watch cache
// answers); without a resourceVersion (or "0") the current objects come first as
// ADDED. Selectors apply to old and new state, so an object that stops matching
// arrives as DELETED and one that starts matching as ADDED, like the watch cache.
// Simplification: no backpressure (a slow reader just buffers); periodic
// bookmarks every 60 s when allowWatchBookmarks=true.

import type { ServerResponse } from "node:http";
import { apiVersionOf, tk, type Ctx, type Env } from "./context.js";
import type { ResourceType } from "./discovery.js";
import { selected, served } from "./read.js";
import { fieldMatcher, labelMatcher, type Matcher } from "./selectors.js";
import type { StoreEvent } from "./store.js";
import type { Obj } from "./util.js";

interface Watcher {
  rt: ResourceType;
  typeKey: string;
  ns: string;
  label: Matcher;
  field: Matcher;
  res: ServerResponse;
  close(abrupt?: boolean): void;
}

export class WatchHub {
  private watchers = new Set<Watcher>();

  constructor(private readonly env: Env) {
    env.store.onEvent((e) => this.dispatch(e));
  }

  get size(): number {
    return this.watchers.size;
  }

  /** Starts a watch; selector errors are thrown before anything is written. */
  open(ctx: Ctx, res: ServerResponse): void {
    const { rt, query } = ctx;
    const label = labelMatcher(query.labelSelector);
    const field = fieldMatcher(query.fieldSelector, rt.kind, rt.custom);
    const bookmarks = query.allowWatchBookmarks === "true" || query.allowWatchBookmarks === "1";
    res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
    res.socket?.setNoDelay(true);
    res.flushHeaders();

    const timers: NodeJS.Timeout[] = [];
    const w: Watcher = {
      rt, typeKey: tk(rt), ns: rt.namespaced ? ctx.ns : "", label, field, res,
      close: (abrupt = false) => {
        if (!this.watchers.delete(w)) return;
        timers.forEach(clearTimeout);
        if (abrupt) res.destroy();
        else res.end();
      },
    };
    res.on("close", () => w.close());
    const send = (type: string, object: Obj) => res.write(JSON.stringify({ type, object }) + "\n");
    const bookmark = (extra: Obj = {}) => send("BOOKMARK", { kind: rt.kind, apiVersion: apiVersionOf(rt), metadata: { resourceVersion: String(this.env.store.currentRv()), creationTimestamp: null, ...extra } });

    const rv = query.resourceVersion;
    if (!rv || rv === "0") {
      for (const o of selected(this.env, ctx)) send("ADDED", served(rt, o));
      if (bookmarks && query.sendInitialEvents === "true") bookmark({ annotations: { "k8s.io/initial-events-end": "true" } });
    } else {
      const from = Number(rv);
      const oldest = this.env.store.oldestResumable();
      if (!Number.isFinite(from) || (oldest !== undefined && from < oldest)) {
        send("ERROR", { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: `too old resource version: ${rv} (${oldest ?? 0})`, reason: "Expired", code: 410 });
        res.end();
        return;
      }
      for (const e of this.env.store.eventsSince(from)) this.deliver(w, e);
    }
    this.watchers.add(w);
    const timeout = Number(query.timeoutSeconds ?? 0);
    if (timeout > 0) timers.push(setTimeout(() => w.close(), timeout * 1000));
    if (bookmarks) {
      const t = setInterval(() => bookmark(), 60_000);
      t.unref();
      timers.push(t);
    }
  }

  private dispatch(e: StoreEvent): void {
    for (const w of this.watchers) this.deliver(w, e);
  }

  private deliver(w: Watcher, e: StoreEvent): void {
    if (w.typeKey !== e.typeKey || (w.ns && w.ns !== e.ns)) return;
    const match = (o: Obj | undefined) => !!o && w.label(o) && w.field(o);
    let type: string | undefined;
    if (e.type === "ADDED") type = match(e.obj) ? "ADDED" : undefined;
    else if (e.type === "DELETED") type = match(e.obj) ? "DELETED" : undefined;
    else {
      const now = match(e.obj);
      const before = match(e.old);
      type = now && before ? "MODIFIED" : now ? "ADDED" : before ? "DELETED" : undefined;
    }
    if (type) w.res.write(JSON.stringify({ type, object: served(w.rt, e.obj) }) + "\n");
  }

  /** Ends every open watch (cleanly by default; abrupt destroys the sockets). Returns how many. */
  dropAll(abrupt = false): number {
    const all = [...this.watchers];
    for (const w of all) w.close(abrupt);
    return all.length;
  }
}
