// Declarative: the whole desired state is data in Git, and only that data
// drives changes. What Converge sends to the cluster is exactly the rendered
// manifests (plus its provenance stamps), the fields it owns live are exactly
// Git's values, a PR that is not merged changes nothing, and the CLI refuses
// to apply anything that is not committed.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../support/stack.js";
import { startController, type Controller } from "../support/kube/controller.js";
import { mergeChange, pushPayload } from "../support/merge.js";
import { withImage } from "../support/shop.js";
import { workspace, type Workspace } from "../support/workspace.js";
import { fromFieldsV1, getAt, printPath } from "../support/kube/fieldset.js";
import { runCli } from "../../src/cli/main.js";
import { applySetId, parentRef, ANN_REPOSITORY, ANN_REVISION, LABEL_PART_OF } from "../../src/inventory/applyset.js";
import type { KubeObject } from "../../src/manifests/object.js";
import { deployedRepo, isBookkeeping, isMutation, keyOf, managedFields, rendered, states, type Repo } from "./support.js";

let stack: Stack;
let controller: Controller;
let repo: Repo;
let sha: string;

beforeAll(async () => {
  stack = await startStack({ verifyTimeoutMs: 20_000 });
  controller = startController(stack.kube, { readyAfterMs: 50 });
  repo = await deployedRepo(stack, "acme/declarative", "declarative");
});

afterAll(async () => {
  await controller?.stop();
  await stack?.close();
});

/** A Secret as the API server stores it: stringData folded into base64 data. */
function stored(o: KubeObject): KubeObject {
  if (o.kind !== "Secret" || !o.stringData) return o;
  const { stringData, ...rest } = o as KubeObject & { stringData: Record<string, string>; data?: Record<string, string> };
  const data = { ...(rest.data ?? {}) };
  for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(v).toString("base64");
  return { ...rest, data } as KubeObject;
}

/** Every value of `want` is in `have` (maps by key, lists element by element). */
function missingIn(want: unknown, have: unknown, at = ""): string[] {
  if (Array.isArray(want)) {
    if (!Array.isArray(have) || have.length !== want.length) return [`${at}: ${JSON.stringify(have)} is not a list of ${want.length}`];
    return want.flatMap((w, i) => missingIn(w, have[i], `${at}[${i}]`));
  }
  if (want && typeof want === "object") {
    if (!have || typeof have !== "object") return [`${at}: missing`];
    return Object.entries(want).flatMap(([k, v]) => missingIn(v, (have as Record<string, unknown>)[k], `${at}.${k}`));
  }
  return want === have ? [] : [`${at}: live ${JSON.stringify(have)}, Git ${JSON.stringify(want)}`];
}

describe("declarative: only manifests from Git drive changes", () => {
  it("sends exactly the rendered manifests (plus provenance stamps), and owns exactly Git's fields live", async () => {
    const image = "ghcr.io/acme/web:2.0.0";
    const m = mergeChange(stack, repo.name, "bump", {
      "deploy/production/web.yaml": withImage(repo.files, image),
      "deploy/production/config.yaml": repo.files["deploy/production/config.yaml"]!.replace("LOG_LEVEL: info", "LOG_LEVEL: warn\n  FEATURE_X: \"on\""),
    });
    sha = m.sha;
    stack.kube.resetRequests();
    await stack.deliver("push", pushPayload(stack, repo.name, m));
    expect(states(stack, repo.name, m.sha)).toEqual(["in_progress", "success"]);

    const desired = await rendered(stack, repo, m.sha);
    // The manifest plus exactly three stamps: the ApplySet label, the commit and the repository.
    const applySet = applySetId(parentRef(repo.name, repo.env.name, repo.namespace));
    const stamped = (o: KubeObject): KubeObject => ({
      ...o,
      metadata: {
        ...o.metadata,
        labels: { ...o.metadata.labels, [LABEL_PART_OF]: applySet },
        annotations: { ...o.metadata.annotations, [ANN_REVISION]: m.sha, [ANN_REPOSITORY]: repo.name },
      },
    });
    const expected = new Map([...desired].map(([k, o]) => [k, stamped(o)] as const));

    // What was sent: one server-side apply per rendered object, its body the manifest verbatim.
    const applies = stack.kube.requests.filter((r) => isMutation(r) && !isBookkeeping(r.path, repo));
    expect(applies.every((r) => r.method === "PATCH" && r.contentType === "application/apply-patch+yaml")).toBe(true);
    const sent = new Map(applies.map((r) => [keyOf(r.body as KubeObject), r.body as KubeObject] as const));
    expect(applies).toHaveLength(sent.size); // each object once
    expect(Object.fromEntries(sent)).toEqual(Object.fromEntries(expected));

    // What is live: every object of the ApplySet is a rendered manifest, and back.
    const members = stack.kube.list().filter((o) => o.metadata.labels?.[LABEL_PART_OF] === applySet);
    expect(members.map(keyOf).sort()).toEqual([...desired.keys()].sort());

    for (const [key, want] of expected) {
      const live = members.find((o) => keyOf(o) === key)!;
      // Git ⊆ live: every value in the manifest is what the cluster holds.
      expect(missingIn(stored(want), live), key).toEqual([]);
      // Converge's fields ⊆ Git: each field it owns (managedFields, manager "converge") has Git's value.
      const entries = managedFields(live).filter((e) => e.manager === "converge");
      expect(entries.map((e) => e.operation), key).toEqual(["Apply"]);
      const owned = fromFieldsV1(entries[0]!.fieldsV1);
      const leaves = [...owned.members].filter(([k]) => owned.isLeaf(k)).map(([, p]) => p);
      expect(leaves.length, key).toBeGreaterThanOrEqual(3); // at least the provenance stamps
      const wrong = leaves.filter((p) => JSON.stringify(getAt(live, p)) !== JSON.stringify(getAt(stored(want), p))).map(printPath);
      expect(wrong, `${key}: fields Converge owns whose live value is not Git's`).toEqual([]);
    }
    const web = members.find((o) => o.kind === "Deployment")!;
    expect(JSON.stringify(web.spec)).toContain(image);
  });

  it("changes nothing in the cluster for a pull request that is not merged", async () => {
    stack.gh.createBranch(repo.name, "unmerged", stack.gh.ref(repo.name, "main")!);
    stack.gh.commit(repo.name, "unmerged", { "deploy/production/web.yaml": withImage(repo.files, "ghcr.io/acme/web:9.9.9") }, { message: "unmerged", author: "alice" });
    const n = stack.gh.openPull(repo.name, { head: "unmerged", user: "alice" });
    stack.kube.resetRequests();
    await stack.deliver("pull_request", stack.gh.events.pullRequest(repo.name, "opened", n, "alice"));
    const review = stack.gh.review(repo.name, n, { user: "bob", state: "APPROVED" });
    await stack.deliver("pull_request_review", stack.gh.events.review(repo.name, "submitted", review));
    expect(stack.kube.requests.length).toBeGreaterThan(0); // it was previewed against the cluster…
    expect(stack.kube.requests.filter(isMutation)).toEqual([]); // …with reads and dry runs only
    expect(JSON.stringify(stack.kube.get("apps/v1", "Deployment", "web", repo.namespace)!.spec)).not.toContain("9.9.9");
    expect(stack.kube.get("apps/v1", "Deployment", "web", repo.namespace)!.metadata.annotations?.["converge.dev/revision"]).toBe(sha);
  });
});

describe("declarative: `converge apply` applies commits, never a working tree", () => {
  let ws: Workspace;
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", ws.root, ...args], { encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" } }).trim();
  const apply = async () => {
    let out = "";
    let err = "";
    const code = await runCli(["apply", "--env", "production", "--dir", ws.root, "--kubeconfig", stack.kubeconfigPath, "--timeout", "20"], { stdout: (t) => (out += t), stderr: (t) => (err += t), env: {} });
    return { code, out, err };
  };

  beforeAll(async () => {
    ws = await workspace("shop");
    await ws.edit(".github/converge.yml", (t) => t.replace("namespace: shop", "namespace: declarative-cli"));
    await ws.edit("deploy/production/namespace.yaml", (t) => t.replace("name: shop", "name: declarative-cli"));
    git("init", "-q", "-b", "main");
    git("remote", "add", "origin", "git@github.com:acme/declarative-cli.git");
    git("add", "-A");
    git("commit", "-qm", "initial");
  });

  afterAll(async () => {
    await ws?.dispose();
  });

  it("refuses an uncommitted edit and an untracked manifest (exit 2), sending nothing to the cluster", async () => {
    await ws.edit("deploy/production/config.yaml", (t) => t.replace("info", "debug"));
    stack.kube.resetRequests();
    const edited = await apply();
    expect(edited.code).toBe(2);
    expect(edited.err).toContain("uncommitted changes under deploy/production");
    git("checkout", "--", "deploy/production/config.yaml");

    await ws.write("deploy/production/extra.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  a: b\n");
    const untracked = await apply();
    expect(untracked.code).toBe(2);
    expect(untracked.err).toContain("deploy/production/extra.yaml");
    expect(stack.kube.requests.filter(isMutation)).toEqual([]);
    expect(stack.kube.get("v1", "ConfigMap", "web-config", "declarative-cli")).toBeUndefined();
    expect(stack.kube.get("v1", "ConfigMap", "extra", "declarative-cli")).toBeUndefined();
  });

  it("applies the same tree once it is committed, stamped with the commit", async () => {
    git("add", "-A");
    git("commit", "-qm", "add extra");
    const r = await apply();
    expect(r.code, r.err).toBe(0);
    const head = git("rev-parse", "HEAD");
    expect(stack.kube.get("v1", "ConfigMap", "extra", "declarative-cli")!.metadata.annotations?.["converge.dev/revision"]).toBe(head);
  });
});
