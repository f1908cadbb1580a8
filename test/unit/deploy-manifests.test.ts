// deploy/: the manifests that run Converge on Kubernetes, rendered with
// Converge's own loader (kubectl kustomize, the same limits and checks a
// repository's environment gets), so an operator who manages Converge through
// Converge gets no surprise. Also: the example registry is a valid registry,
// and the examples load.
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { loadManifests, type LoadResult } from "../../src/manifests/index.js";
import { parseRegistry } from "../../src/config/index.js";
import type { KubeObject } from "../../src/manifests/object.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

interface Container {
  name: string;
  image?: string;
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  readinessProbe?: { httpGet?: { path: string; port: number | string } };
  livenessProbe?: { httpGet?: { path: string; port: number | string } };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; runAsNonRoot?: boolean; capabilities?: { drop?: string[] } };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

interface PodSpec {
  serviceAccountName?: string;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  containers: Container[];
  volumes?: Array<{ name: string; emptyDir?: object; configMap?: { name: string } }>;
}

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
}

let base: LoadResult;
const find = (kind: string, name?: string) => base.objects.map((o) => o.object).find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
const pod = () => ((find("Deployment")!.spec as { template: { spec: PodSpec } }).template.spec);
const container = () => pod().containers[0]!;
const env = (name: string) => container().env?.find((e) => e.name === name);

beforeAll(async () => {
  base = await loadManifests({ root: ROOT, path: "deploy/base" });
});

describe("deploy/base rendered by loadManifests", () => {
  it("renders through kustomize without errors", () => {
    expect(base.errors).toEqual([]);
    expect(base.renderer).toBe("kustomize");
  });

  it("holds exactly the kinds Converge needs, all in converge-system, and no Secret", () => {
    const kinds = base.objects.map((o) => o.object.kind).sort();
    expect(kinds).toEqual(["ClusterRole", "ClusterRoleBinding", "ConfigMap", "Deployment", "Namespace", "PodDisruptionBudget", "Role", "RoleBinding", "Service", "ServiceAccount"]);
    expect(kinds).not.toContain("Secret");
    for (const { object } of base.objects) {
      if (["Namespace", "ClusterRole", "ClusterRoleBinding"].includes(object.kind)) continue;
      expect(object.metadata.namespace, `${object.kind} ${object.metadata.name}`).toBe("converge-system");
    }
  });

  it("runs two replicas with probes on /readyz and /healthz at the container's port 3000", () => {
    expect((find("Deployment")!.spec as { replicas: number }).replicas).toBe(2);
    const c = container();
    expect(c.ports).toEqual([{ name: "http", containerPort: 3000 }]);
    expect(c.readinessProbe?.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(c.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(env("PORT")?.value).toBe("3000");
    // Probot binds to localhost by default: neither the Service nor the kubelet's probes could reach it.
    expect(env("HOST")?.value).toBe("0.0.0.0");
  });

  it("takes the GitHub App credentials from the Secret converge-github-app, by reference", () => {
    for (const key of ["APP_ID", "PRIVATE_KEY", "WEBHOOK_SECRET"]) {
      expect(env(key)?.valueFrom?.secretKeyRef, key).toEqual({ name: "converge-github-app", key });
      expect(env(key)?.value, key).toBeUndefined();
    }
  });

  it("runs as non-root with a read-only root filesystem, no capabilities, seccomp RuntimeDefault, and a writable /tmp", () => {
    const p = pod();
    expect(p.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(p.securityContext?.runAsUser).toBeGreaterThan(0);
    expect(container().securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    // Converge unpacks tarballs into os.tmpdir(), and kubectl kustomize runs with HOME there.
    const tmp = container().volumeMounts?.find((m) => m.mountPath === "/tmp");
    expect(p.volumes?.find((v) => v.name === tmp?.name)?.emptyDir).toBeDefined();
    expect(container().resources?.requests).toBeDefined();
    expect(container().resources?.limits?.memory).toBeDefined();
  });

  it("mounts the cluster registry where CONVERGE_CLUSTERS points, and it is a valid registry using inCluster", () => {
    const path = env("CONVERGE_CLUSTERS")?.value;
    expect(path).toBe("/etc/converge/clusters.yaml");
    const mount = container().volumeMounts?.find((m) => path!.startsWith(`${m.mountPath}/`))!;
    const cmName = pod().volumes?.find((v) => v.name === mount.name)?.configMap?.name;
    const cm = find("ConfigMap", cmName) as KubeObject & { data: Record<string, string> };
    const text = cm.data[path!.slice(mount.mountPath.length + 1)]!;
    const registry = parseRegistry(text, path!);
    expect(registry.clusters.map((c) => ({ name: c.name, inCluster: c.inCluster }))).toEqual([{ name: "local", inCluster: true }]);
  });

  it("grants only discovery cluster-wide and leases in the lease namespace", () => {
    const cluster = find("ClusterRole") as KubeObject & { rules: Rule[] };
    expect(cluster.rules.every((r) => r.nonResourceURLs && !r.resources)).toBe(true);
    expect(cluster.rules.flatMap((r) => r.verbs)).toEqual(["get"]);
    const role = find("Role") as KubeObject & { rules: Rule[] };
    expect(role.metadata.namespace).toBe(env("CONVERGE_LEASE_NAMESPACE")?.value);
    expect(role.rules).toEqual([{ apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "create", "update"] }]);
    for (const kind of ["RoleBinding", "ClusterRoleBinding"]) {
      expect((find(kind) as KubeObject & { subjects: unknown[] }).subjects).toEqual([{ kind: "ServiceAccount", name: pod().serviceAccountName, namespace: "converge-system" }]);
    }
  });

  it("exposes the app on port 80 of a Service that selects the Deployment's pods", () => {
    const svc = find("Service")!.spec as { selector: Record<string, string>; ports: Array<{ port: number; targetPort: string }> };
    expect(svc.ports).toEqual([{ name: "http", port: 80, targetPort: "http" }]);
    const labels = (find("Deployment")!.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    for (const [k, v] of Object.entries(svc.selector)) expect(labels[k]).toBe(v);
  });
});

describe("deploy/examples", () => {
  it("loads as plain manifests: the per-namespace Role and binding for shop, and the cluster-scoped example", async () => {
    const r = await loadManifests({ root: ROOT, path: "deploy/examples" });
    expect(r.errors).toEqual([]);
    const ids = r.objects.map((o) => `${o.object.kind} ${o.object.metadata.namespace ?? ""}/${o.object.metadata.name}`).sort();
    expect(ids).toEqual(["ClusterRole /converge-namespaces", "ClusterRoleBinding /converge-namespaces", "Role shop/converge-deployer", "RoleBinding shop/converge-deployer"]);
    const role = r.objects.find((o) => o.object.kind === "Role")!.object as KubeObject & { rules: Rule[] };
    const verbsOn = (group: string, resource: string) => role.rules.filter((x) => x.apiGroups?.includes(group) && x.resources?.includes(resource)).flatMap((x) => x.verbs);
    // The ApplySet inventory parent is a ConfigMap in the environment's namespace.
    expect(verbsOn("", "configmaps")).toEqual(expect.arrayContaining(["get", "create", "patch"]));
    expect(verbsOn("", "events")).toContain("list");
    expect(verbsOn("", "pods")).toContain("list");
    expect(verbsOn("apps", "replicasets")).toContain("list");
  });
});
