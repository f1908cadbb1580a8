// A simulated Kubernetes API server for tests: HTTPS on 127.0.0.1 with a
// throw-away CA, bearer-token auth, discovery, CRUD, PATCH (merge, strategic,
// JSON patch, server-side apply), status subresources, watches and Status errors,
// close enough to the real protocol for @kubernetes/client-node, raw fetch and
// kubectl (apply --server-side, diff, get, delete).
//
// Files: server.ts (HTTP, auth, recording, faults) -> routes.ts (paths) -> write.ts /
// read.ts / remove.ts / watch.ts (verbs) -> commit.ts (shared write tail) with
// apply.ts + managed.ts + fieldset.ts (server-side apply), patch.ts, defaults.ts,
// validate.ts, schema*.ts, selectors.ts, store.ts, discovery.ts, openapi.ts, tls.ts.
// controller.ts (+ controllers/) is an optional scripted controller manager and
// kubelet that tests start on a sim (startController) to make workloads run.
// Each simplification is noted where it is made; the main ones: a compact schema
// (names only, some subtrees free-form), no validation of custom objects, CRDs
// Established at once, immediate deletion (no finalizers; ownerReference garbage
// collection only while controller.ts runs), lists always at the
// latest resourceVersion, a subset of defaulting and validation, no /scale.

import { randomBytes, randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { stringify } from "yaml";
import type { KubeObject } from "../../../src/manifests/object.js";
import { groupOf } from "../../../src/manifests/object.js";
import { commit } from "./commit.js";
import { tk, type Ctx, type Env } from "./context.js";
import { Allocator, applyDefaults } from "./defaults.js";
import { Registry, typeKey } from "./discovery.js";
import { createHandler, type Interceptor, type RecordedRequest } from "./server.js";
import { namespaceNotFound, notFound } from "./status.js";
import { Store } from "./store.js";
import { tlsMaterial } from "./tls.js";
import { clone, deepEqual, rfc3339, type Obj } from "./util.js";
import { WatchHub } from "./watch.js";

export type { RecordedRequest, Interceptor, InterceptResponse } from "./server.js";

/** A stored change, as a watch would see it (the object is a copy). */
export interface SimChange { type: "ADDED" | "MODIFIED" | "DELETED"; object: KubeObject }
export interface SimWriteOptions {
  /** The field manager the write is recorded under ("kube-controller-manager", "kubelet"...). */
  manager: string;
  /** "status": only .status changes, as a write to the /status subresource. */
  subresource?: "status";
}

export interface KubeSimOptions {
  latencyMs?: number;
  token?: string;
  /** How many events watches can resume from (default 1000). */
  historyLimit?: number;
}

export interface KubeSim {
  url: string;
  caData: string;
  token: string;
  kubeconfig(): string;
  writeKubeconfig(dir: string): string;
  requests: RecordedRequest[];
  resetRequests(): void;
  count(filter?: (r: RecordedRequest) => boolean): number;
  put(obj: KubeObject): KubeObject;
  get(apiVersion: string, kind: string, name: string, namespace?: string): KubeObject | undefined;
  list(filter?: { kind?: string; namespace?: string }): KubeObject[];
  remove(apiVersion: string, kind: string, name: string, namespace?: string): boolean;
  setStatus(apiVersion: string, kind: string, name: string, namespace: string | undefined, status: unknown): void;
  intercept(fn: Interceptor | undefined): void;
  /** Ends every open watch stream (abrupt: destroy the sockets instead). Returns how many were open. */
  dropWatches(opts?: { abrupt?: boolean }): number;
  /** Calls listener synchronously after every stored change (HTTP, put/remove, write). Returns the unsubscribe function. */
  onChange(listener: (change: SimChange) => void): () => void;
  /**
   * Creates or updates obj in-process through the same path as an HTTP write (defaulting, validation,
   * managedFields under opts.manager, generation, no-op detection, watch events), as the in-cluster
   * controllers of test/support/kube/controller.ts write. Throws the ApiError a request would get.
   */
  write(obj: KubeObject, opts: SimWriteOptions): KubeObject;
  close(): Promise<void>;
}

const CRD_KEY = typeKey("apiextensions.k8s.io", "CustomResourceDefinition");
// A fresh cluster's namespaces.
const INITIAL_NAMESPACES = ["default", "kube-node-lease", "kube-public", "kube-system"];

function specOf(o: Obj): Obj {
  const { metadata: _m, status: _s, ...rest } = o;
  return rest;
}

export async function startKubeSim(opts: KubeSimOptions = {}): Promise<KubeSim> {
  const tls = await tlsMaterial();
  const token = opts.token ?? randomBytes(24).toString("hex");
  const env: Env = { store: new Store(opts.historyLimit ?? 1000), registry: new Registry(), alloc: new Allocator() };
  const hub = new WatchHub(env);
  const requests: RecordedRequest[] = [];
  let interceptor: Interceptor | undefined;

  const nsType = env.registry.byKind("v1", "Namespace")!;
  for (const name of INITIAL_NAMESPACES) {
    const ns: Obj = { apiVersion: "v1", kind: "Namespace", metadata: { name, uid: randomUUID(), creationTimestamp: rfc3339() } };
    applyDefaults(nsType, ns, undefined, env.alloc);
    env.store.write("/Namespace", ns);
  }

  const server = createServer({ key: tls.key, cert: tls.cert }, createHandler({ env, hub, token, latencyMs: opts.latencyMs ?? 0, requests, interceptor: () => interceptor }));
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const caData = Buffer.from(tls.caCert).toString("base64");

  const key = (apiVersion: string, kind: string) => typeKey(groupOf(apiVersion), kind);
  const removeCustomObjects = (crdName: string) => {
    const types = env.registry.unregisterCRD(crdName);
    if (!types[0]) return;
    const k = typeKey(types[0].group, types[0].kind);
    for (const o of env.store.list(k)) env.store.remove(k, o.metadata.namespace ?? "", o.metadata.name);
  };

  const kubeconfig = () =>
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "sim", cluster: { server: url, "certificate-authority-data": caData } }],
      users: [{ name: "sim", user: { token } }],
      contexts: [{ name: "sim", context: { cluster: "sim", user: "sim" } }],
      "current-context": "sim",
    });

  return {
    url,
    caData,
    token,
    kubeconfig,
    writeKubeconfig(dir) {
      const path = join(dir, "kubeconfig");
      writeFileSync(path, kubeconfig(), { mode: 0o600 });
      return path;
    },
    requests,
    resetRequests() {
      requests.length = 0;
    },
    count(filter) {
      return filter ? requests.filter(filter).length : requests.length;
    },
    // Simplification: put() stores the object as given (no defaulting, validation or managedFields),
    // except that a CRD is registered and marked Established. Without managedFields the object is
    // like a legacy one: its first apply attributes its fields to "before-first-apply" (real behaviour).
    put(obj) {
      const k = key(obj.apiVersion, obj.kind);
      const ns = obj.metadata.namespace ?? "";
      const old = env.store.get(k, ns, obj.metadata.name);
      const next: Obj = clone(obj);
      const meta = next.metadata;
      meta.uid = old?.metadata.uid ?? meta.uid ?? randomUUID();
      meta.creationTimestamp = old?.metadata.creationTimestamp ?? meta.creationTimestamp ?? rfc3339();
      const prevGen = Number(old?.metadata.generation ?? 0);
      meta.generation = !old ? Number(meta.generation ?? 1) : deepEqual(specOf(old), specOf(next)) ? prevGen : prevGen + 1;
      if (k === CRD_KEY) {
        applyDefaults(env.registry.byKind("apiextensions.k8s.io/v1", "CustomResourceDefinition")!, next, old, env.alloc);
        env.registry.registerCRD(next);
      }
      return clone(env.store.write(k, next)) as KubeObject;
    },
    get(apiVersion, kind, name, namespace) {
      const o = env.store.get(key(apiVersion, kind), namespace ?? "", name);
      return o ? (clone(o) as KubeObject) : undefined;
    },
    list(filter = {}) {
      const out: Obj[] = [];
      for (const k of env.store.typeKeys()) {
        if (filter.kind && k.slice(k.indexOf("/") + 1) !== filter.kind) continue;
        for (const o of env.store.list(k)) if (filter.namespace === undefined || (o.metadata.namespace ?? "") === filter.namespace) out.push(clone(o));
      }
      const sortKey = (o: Obj) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
      return out.sort((a, b) => sortKey(a).localeCompare(sortKey(b))) as KubeObject[];
    },
    remove(apiVersion, kind, name, namespace) {
      const k = key(apiVersion, kind);
      const gone = env.store.remove(k, namespace ?? "", name);
      if (gone && k === CRD_KEY) removeCustomObjects(name);
      return gone !== undefined;
    },
    setStatus(apiVersion, kind, name, namespace, status) {
      const k = key(apiVersion, kind);
      const old = env.store.get(k, namespace ?? "", name);
      if (!old) throw new Error(`kube-sim: setStatus: ${kind} ${namespace ? namespace + "/" : ""}${name} does not exist`);
      env.store.write(k, { ...old, metadata: { ...old.metadata }, status: clone(status) });
    },
    intercept(fn) {
      interceptor = fn;
    },
    dropWatches(o = {}) {
      return hub.dropAll(o.abrupt ?? false);
    },
    onChange(listener) {
      return env.store.onEvent((e) => listener({ type: e.type, object: clone(e.obj) as KubeObject }));
    },
    write(obj, o) {
      const rt = env.registry.byKind(obj.apiVersion, obj.kind);
      if (!rt) throw new Error(`kube-sim: write: the server does not serve ${obj.apiVersion} ${obj.kind}`);
      const ns = rt.namespaced ? String(obj.metadata.namespace ?? "default") : "";
      const name = String(obj.metadata.name ?? "");
      const ctx: Ctx = { rt, ns, name, query: {}, manager: o.manager, dryRun: false, warnings: [], ...(o.subresource ? { sub: "status" as const } : {}) };
      const live = env.store.get(tk(rt), ns, name);
      if (!live && o.subresource) throw notFound({ group: rt.group, plural: rt.plural, kind: rt.kind }, name);
      if (!live && ns && !env.store.get("/Namespace", "", ns)) throw namespaceNotFound(ns);
      const candidate: Obj = o.subresource ? { ...live, status: clone(obj.status) } : clone(obj);
      return clone(commit(env, ctx, live, candidate).body) as KubeObject;
    },
    async close() {
      hub.dropAll(true);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
