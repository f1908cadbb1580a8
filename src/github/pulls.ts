// Pull-request reads the preview and the gate need.
import type { Review } from "../policy/index.js";
import type { GitHub, RepoRef } from "./types.js";

/** Changed file paths (old and new names for renames); GitHub caps the list at 3,000 files. */
export async function changedFiles(gh: GitHub, repo: RepoRef, pull: number): Promise<string[]> {
  const files = await gh.paginate(gh.rest.pulls.listFiles, { ...repo, pull_number: pull, per_page: 100 });
  const out = new Set<string>();
  for (const f of files) {
    out.add(f.filename);
    if (f.previous_filename) out.add(f.previous_filename);
  }
  return [...out];
}

export async function listReviews(gh: GitHub, repo: RepoRef, pull: number): Promise<Review[]> {
  const reviews = await gh.paginate(gh.rest.pulls.listReviews, { ...repo, pull_number: pull, per_page: 100 });
  return reviews
    .filter((r) => r.user)
    .map((r) => ({
      user: r.user!.login,
      state: r.state as Review["state"],
      commitId: r.commit_id ?? "",
      submittedAt: r.submitted_at ?? "",
    }));
}

/** Members (lowercased logins) of each "@org/team"; an unresolvable team maps to no one. */
export async function resolveTeams(gh: GitHub, teams: string[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const team of teams) {
    const [org, slug] = team.replace(/^@/, "").split("/");
    try {
      const members = await gh.paginate(gh.rest.teams.listMembersInOrg, { org: org!, team_slug: slug!, per_page: 100 });
      out.set(team.toLowerCase(), new Set(members.map((m) => m.login.toLowerCase())));
    } catch (err) {
      if ((err as { status?: number }).status !== 404) throw err;
      out.set(team.toLowerCase(), new Set());
    }
  }
  return out;
}

export async function downloadTarball(gh: GitHub, repo: RepoRef, sha: string): Promise<Buffer> {
  const res = await gh.rest.repos.downloadTarballArchive({ ...repo, ref: sha });
  return Buffer.from(res.data as ArrayBuffer);
}

/** Of `logins`, those with write (or maintain/admin) access to the repository, lowercased. */
export async function writersAmong(gh: GitHub, repo: RepoRef, logins: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const login of new Set(logins.map((l) => l.toLowerCase()))) {
    try {
      const { data } = await gh.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: login });
      const role = (data as { role_name?: string }).role_name ?? data.permission;
      if (["admin", "maintain", "write"].includes(role)) out.add(login);
    } catch (err) {
      if ((err as { status?: number }).status !== 404) throw err; // not a collaborator: no write access
    }
  }
  return out;
}
