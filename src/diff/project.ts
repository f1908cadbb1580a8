// Client-side fallback when the server refuses dry-run: without the server we
// cannot know its defaults, so compare only what Git sets. Known limit: a field
// removed from Git (but still live) does not show, since only managedFields
// could tell it apart from a default; the plan says the fallback was used.
import type { KubeObject } from "../manifests/object.js";
import { isPlainObject } from "./equal.js";

function isNamed(item: unknown): item is Record<string, unknown> & { name: string } {
  return isPlainObject(item) && typeof item.name === "string";
}

function projectList(live: unknown[], desired: unknown[]): unknown[] {
  if (desired.length && live.length && desired.every(isNamed) && live.every(isNamed)) {
    // Containers, env, volumes, ports…: match by name. Entries only live keep
    // whole: the server never invents named entries, so they are real drift.
    const byName = new Map(desired.map((item) => [item.name, item]));
    return live.map((item) => {
      const wanted = byName.get((item as { name: string }).name);
      return wanted ? projectValue(item, wanted) : item;
    });
  }
  // Unnamed lists of equal length (Service ports, tolerations): the server
  // defaults fields inside items (protocol: TCP) but keeps their order.
  if (live.length === desired.length) return live.map((item, i) => projectValue(item, desired[i]));
  return live;
}

function projectValue(live: unknown, desired: unknown): unknown {
  if (Array.isArray(live) && Array.isArray(desired)) return projectList(live, desired);
  if (!isPlainObject(live) || !isPlainObject(desired)) return live;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(live)) {
    if (Object.prototype.hasOwnProperty.call(desired, key)) out[key] = projectValue(live[key], desired[key]);
  }
  return out;
}

/** The part of live that desired sets: server defaults and other owners' fields drop out. */
export function projectOnto(live: KubeObject, desired: KubeObject): KubeObject {
  return projectValue(live, desired) as KubeObject;
}
