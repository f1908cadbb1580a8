// Should this commit be deployed to this environment now? One rule for every
// trigger (push, the reconcile timer, a restart), from what the cluster says
// was deployed (the inventory parent) and what GitHub says changed between
// commits (one or two compare calls):
//   - the deployed commit (succeeded) again                → skip: already deployed
//   - the commit that failed last time                       → skip: never re-applied on its own
//   - a commit older than the deployed one                   → skip: superseded
//   - a descendant of the failed commit that changes nothing
//     for this environment since it                          → skip: still carries the failed change
//   - no change to the environment's inputs since the
//     deployed commit                                        → skip, and record it as deployed (nothing to apply)
//   - otherwise                                              → deploy
import type { InventoryState } from "../inventory/applyset.js";
import { touchesInputs } from "../manifests/index.js";
import type { GitHub, RepoRef } from "../github/types.js";

export type Decision = { deploy: true } | { deploy: false; why: string; supersededBy?: string; upToDate?: boolean };

interface Comparison {
  status: "ahead" | "behind" | "identical" | "diverged";
  files?: string[]; // undefined when GitHub truncated the list (300 files)
}

export async function decide(gh: GitHub, repo: RepoRef, envPath: string, sha: string, inv: InventoryState): Promise<Decision> {
  const s = (x: string) => x.slice(0, 7);
  if (inv.revision === sha && inv.result === "succeeded") return { deploy: false, why: `${s(sha)} is already deployed`, upToDate: true };
  if (inv.failedRevision === sha) return { deploy: false, why: `${s(sha)} failed to deploy before; Converge does not re-apply a failed commit on its own` };
  const touches = (files: string[] | undefined) => files === undefined || touchesInputs(inv.inputs, files, envPath);
  if (inv.failedRevision) {
    const sinceFailed = await compare(gh, repo, inv.failedRevision, sha);
    if (sinceFailed?.status === "ahead" && !touches(sinceFailed.files)) {
      return { deploy: false, why: `${s(sha)} still carries the failed change of ${s(inv.failedRevision)} and changes nothing else for this environment; waiting for a fix or a revert` };
    }
  }
  if (!inv.revision) return { deploy: true };
  const since = await compare(gh, repo, inv.revision, sha);
  if (!since) return { deploy: true }; // deployed commit unknown to GitHub (rewritten history): Git is the truth
  if (since.status === "behind") return { deploy: false, why: `${s(sha)} is older than the deployed ${s(inv.revision)}`, supersededBy: inv.revision };
  if (since.status === "identical") return { deploy: false, why: `${s(sha)} has the same content as the deployed ${s(inv.revision)}`, upToDate: true };
  if (inv.result === "succeeded" && !touches(since.files)) return { deploy: false, why: `no change to this environment since ${s(inv.revision)}`, upToDate: true };
  return { deploy: true };
}

async function compare(gh: GitHub, repo: RepoRef, base: string, head: string): Promise<Comparison | undefined> {
  try {
    const res = await gh.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `${base}...${head}`, per_page: 100 });
    const files = res.data.files;
    // GitHub lists at most 300 files; beyond that (or when it omits them) assume the environment is touched.
    const complete = Array.isArray(files) && files.length < 300;
    return {
      status: res.data.status as Comparison["status"],
      files: complete ? files.flatMap((f) => [f.filename, ...(f.previous_filename ? [f.previous_filename] : [])]) : undefined,
    };
  } catch (err) {
    if ((err as { status?: number }).status === 404) return undefined;
    throw err;
  }
}
