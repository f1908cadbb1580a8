// What every verb handler gets: the shared state and the parsed request.

import type { Allocator } from "./defaults.js";
import { typeKey, type Registry, type ResourceType } from "./discovery.js";
import type { Store } from "./store.js";
import type { Resource } from "./status.js";

export interface Env { store: Store; registry: Registry; alloc: Allocator }

export interface Ctx {
  rt: ResourceType;
  ns: string; // "" for cluster-scoped objects and all-namespace lists
  name?: string;
  sub?: "status";
  query: Record<string, string>;
  manager: string; // fieldManager, or derived from the User-Agent like the real server
  dryRun: boolean;
  warnings: string[];
}

export function tk(rt: ResourceType): string {
  return typeKey(rt.group, rt.kind);
}
export function res(rt: ResourceType): Resource {
  return { group: rt.group, plural: rt.plural, kind: rt.kind };
}
export function apiVersionOf(rt: ResourceType): string {
  return rt.group ? `${rt.group}/${rt.version}` : rt.version;
}
