// The read caches periodic work relies on: concurrent identical reads share one
// request, and a route that names no repository is scoped by installation.
import { describe, expect, it } from "vitest";
import { conditionalGet } from "../../src/github/conditional.js";
import { cachedTarball } from "../../src/github/tarball-cache.js";
import type { GitHub } from "../../src/github/types.js";

function fakeGitHub(answer: (route: string, n: number) => unknown) {
  const calls: string[] = [];
  const gh = {
    async request(route: string) {
      const n = calls.push(route);
      await new Promise((r) => setTimeout(r, 20));
      return { data: answer(route, n), headers: { etag: `"e${n}"` } };
    },
    rest: {
      repos: {
        async downloadTarballArchive() {
          calls.push("tarball");
          await new Promise((r) => setTimeout(r, 20));
          return { data: new Uint8Array([1, 2, 3]).buffer };
        },
      },
    },
  };
  return { gh: gh as unknown as GitHub, calls };
}

describe("GitHub read caches", () => {
  it("shares one request among concurrent identical conditional reads", async () => {
    const { gh, calls } = fakeGitHub(() => ({ ok: true }));
    const reads = await Promise.all([1, 2, 3].map(() => conditionalGet(gh, "GET /repos/{owner}/{repo}/issues", { owner: "a", repo: "b", labels: "x" })));
    expect(calls).toHaveLength(1);
    expect(reads).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
  });

  it("keeps installations apart on a route that names no repository", async () => {
    const { gh, calls } = fakeGitHub((_r, n) => ({ installation: n }));
    const [a, b] = await Promise.all([
      conditionalGet(gh, "GET /installation/repositories", { page: 1 }, "installation:1"),
      conditionalGet(gh, "GET /installation/repositories", { page: 1 }, "installation:2"),
    ]);
    expect(calls).toHaveLength(2);
    expect(a).not.toEqual(b);
  });

  it("downloads a revision's tarball once for concurrent drift checks", async () => {
    const { gh, calls } = fakeGitHub(() => undefined);
    const bufs = await Promise.all([1, 2, 3].map(() => cachedTarball(gh, { owner: "a", repo: "b" }, "c".repeat(40))));
    expect(calls).toEqual(["tarball"]);
    expect(bufs.every((b) => b.length === 3)).toBe(true);
  });
});
