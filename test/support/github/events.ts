import { commentJson, issueJson } from "./issues.js";
import { restCommitJson } from "./commits.js";
import { nodeId } from "./http.js";
import type { Json } from "./http.js";
import { checkRunJson } from "./checks.js";
import { pullJson, reviewJson } from "./pulls.js";
import { repoJson, userJson } from "./shapes.js";
import type { RepoRec, State } from "./state.js";

// Webhook payloads built from the simulator's own state, so the ids, SHAs and
// numbers in an event are the ones the API then returns (field layout follows
// @octokit/webhooks-examples). Send them with sendWebhook().

function envelope(s: State, r: RepoRec, sender: string): Record<string, Json> {
  const inst = s.installationFor(r.owner);
  const owner = s.findUser(r.owner);
  return {
    repository: repoJson(s, r),
    ...(owner?.type === "Organization" ? { organization: { login: owner.login, id: owner.id, node_id: nodeId("Organization", owner.id), url: `${s.urls.api}/orgs/${owner.login}` } } : {}),
    sender: userJson(s, sender),
    ...(inst ? { installation: { id: inst.id, node_id: nodeId("Installation", inst.id) } } : {}),
  };
}

export function pullRequestEvent(s: State, r: RepoRec, action: string, number: number, sender?: string): Json {
  const i = r.issues.get(number);
  if (!i?.pull) throw new Error(`simulated GitHub: ${r.fullName}#${number} is not a pull request`);
  return { action, number, pull_request: pullJson(s, r, i, true), ...envelope(s, r, sender ?? i.user) };
}

export function issuesEvent(s: State, r: RepoRec, action: string, number: number, sender?: string): Json {
  const i = r.issues.get(number);
  if (!i) throw new Error(`simulated GitHub: ${r.fullName} has no issue #${number}`);
  return { action, issue: issueJson(s, r, i), ...envelope(s, r, sender ?? i.user) };
}

export function issueCommentEvent(s: State, r: RepoRec, action: string, commentId: number): Json {
  const c = s.comments.get(commentId);
  if (!c) throw new Error(`simulated GitHub: no comment ${commentId}`);
  return { action, issue: issueJson(s, r, r.issues.get(c.issue)!), comment: commentJson(s, r, c), ...envelope(s, r, c.user) };
}

export function reviewEvent(s: State, r: RepoRec, action: string, reviewId: number): Json {
  const rv = s.reviews.find((x) => x.id === reviewId);
  if (!rv) throw new Error(`simulated GitHub: no review ${reviewId}`);
  const review = { ...(reviewJson(s, r, rv) as object), state: rv.state.toLowerCase() };
  return { action, review, pull_request: pullJson(s, r, r.issues.get(rv.number)!, false), ...envelope(s, r, rv.user) };
}

export function checkRunEvent(s: State, r: RepoRec, action: string, checkRunId: number, sender: string): Json {
  const c = s.checkRuns.get(checkRunId);
  if (!c) throw new Error(`simulated GitHub: no check run ${checkRunId}`);
  return { action, check_run: checkRunJson(s, r, c), ...envelope(s, r, sender) };
}

/** A push of `ref` from `before` to `after` (either may be the zero SHA for create/delete). */
export function pushEvent(s: State, r: RepoRec, ref: string, before: string, after: string, pusher?: string): Json {
  const zero = "0".repeat(40);
  const who = pusher ?? r.owner;
  const commits = after === zero ? [] : r.objects.commitsBetween(before === zero ? undefined : before, after).slice(-20).map((sha) => {
    const c = restCommitJson(s, r, sha, true) as { commit: { message: string; author: unknown; committer: unknown; tree: { sha: string } }; files: { filename: string; status: string }[] };
    const pick = (st: string) => c.files.filter((f) => f.status === st).map((f) => f.filename);
    return { id: sha, tree_id: c.commit.tree.sha, distinct: true, message: c.commit.message, timestamp: r.objects.commit(sha)!.committer.date,
      url: `${s.urls.web}/${r.fullName}/commit/${sha}`, author: c.commit.author, committer: c.commit.committer,
      added: pick("added").concat(pick("renamed")), removed: pick("removed"), modified: pick("modified") };
  });
  return {
    ref, before, after, created: before === zero, deleted: after === zero, forced: before !== zero && after !== zero && !r.objects.isAncestor(before, after),
    base_ref: null, compare: `${s.urls.web}/${r.fullName}/compare/${before.slice(0, 12)}...${after.slice(0, 12)}`,
    commits, head_commit: commits[commits.length - 1] ?? null, pusher: { name: who, email: s.person(who).email }, ...envelope(s, r, who),
  };
}
