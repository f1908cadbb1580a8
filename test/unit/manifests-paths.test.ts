import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadManifests } from "../../src/manifests/index.js";
import { fixture, ids, scratch } from "./manifests-helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function repoCopy(name: string): Promise<{ dir: string; repo: string }> {
  const s = await scratch(name);
  cleanups.push(s.cleanup);
  return { dir: s.dir, repo: path.join(s.dir, "repo") };
}

describe("loadManifests: the environment path", () => {
  it.each(["../outside", "envs/../../outside", "/etc", "envs/prod/../../../etc", "C:\\Windows"])("refuses %s (absolute or escaping)", async (p) => {
    const r = await loadManifests({ root: fixture("path-escapes"), path: p });
    expect(r.objects).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ file: p, reason: "ManifestInvalid" });
    expect(r.errors[0].message).toMatch(/must be relative to the repository and stay inside it/);
  });

  it("accepts a path that goes up and back down inside the repository", async () => {
    const r = await loadManifests({ root: fixture("path-escapes"), path: "envs/../envs/prod/" });
    expect(r.errors).toEqual([]);
    expect(ids(r)).toEqual(["ConfigMap app"]);
    expect(r.objects[0].source.file).toBe("envs/prod/app.yaml");
  });

  it("names a path that does not exist", async () => {
    const r = await loadManifests({ root: fixture("path-escapes"), path: "envs/staging" });
    expect(r.errors).toEqual([{ file: "envs/staging", message: 'environment path "envs/staging" does not exist in the repository', reason: "ManifestInvalid" }]);
  });

  it("refuses a path that leads out through a symlinked directory", async () => {
    const { dir, repo } = await repoCopy("path-escapes");
    await mkdir(path.join(dir, "elsewhere"));
    await writeFile(path.join(dir, "elsewhere", "x.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
    await symlink(path.join(dir, "elsewhere"), path.join(repo, "envs", "linked"));
    const r = await loadManifests({ root: repo, path: "envs/linked" });
    expect(r.objects).toEqual([]);
    expect(r.errors[0].message).toBe('environment path "envs/linked" leads outside the repository through a symbolic link');
  });
});

describe("loadManifests: symbolic links in the tree", () => {
  it("refuses symlinked files and directories, naming them, and loads the rest", async () => {
    const { dir, repo } = await repoCopy("symlink-outside");
    await writeFile(path.join(dir, "secret.yaml"), "apiVersion: v1\nkind: Secret\nmetadata:\n  name: stolen\n");
    await mkdir(path.join(dir, "outside-dir"));
    await symlink(path.join(dir, "secret.yaml"), path.join(repo, "env", "secret.yaml"));
    await symlink(path.join(dir, "outside-dir"), path.join(repo, "env", "linked-dir"));
    await symlink("/etc/hostname", path.join(repo, "env", "notes.txt")); // not a manifest, not a directory: ignored
    const r = await loadManifests({ root: repo, path: "env" });
    expect(ids(r)).toEqual(["ConfigMap app"]);
    expect(r.errors.map((e) => e.file).sort()).toEqual(["env/linked-dir", "env/secret.yaml"]);
    for (const e of r.errors) expect(e.message).toMatch(/is a symbolic link; Converge does not follow symbolic links/);
    expect(r.inputs).toEqual(["env/app.yaml"]);
  });
});
