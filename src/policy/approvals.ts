// Who approved what, with GitHub's review semantics: a reviewer's standing is
// their latest review that changes state; COMMENTED (and unsubmitted PENDING)
// reviews leave it as it was, DISMISSED clears it.
import type { EnvironmentConfig } from "../config/types.js";
import type { Review } from "./types.js";
import { plain, shortSha } from "./text.js";

/** "alice" and "@alice" are users; "@org/team" (or "org/team") is a team. Lowercased, deduplicated. */
export function requiredTeamsOrUsers(from: string[]): { users: string[]; teams: string[] } {
  const users = new Set<string>();
  const teams = new Set<string>();
  for (const raw of from) {
    const entry = raw.trim().toLowerCase().replace(/^@/, "");
    if (!entry) continue;
    if (entry.includes("/")) teams.add(`@${entry}`);
    else users.add(entry);
  }
  return { users: [...users], teams: [...teams] };
}

/** Teams ("@org/team", lowercased, sorted) the adapter must resolve before calling evaluateGate. */
export function teamsNamed(configs: EnvironmentConfig[]): string[] {
  const teams = new Set<string>();
  for (const env of configs) for (const team of requiredTeamsOrUsers(env.approvals.from).teams) teams.add(team);
  return [...teams].sort();
}

/**
 * Each reviewer's standing review, keyed by lowercased login. The author is
 * left out: GitHub does not let authors approve, and a policy must not rely on it.
 * Ties on submittedAt keep the input order (the later entry wins).
 */
export function standingReviews(reviews: Review[], author: string): Map<string, Review> {
  const self = author.toLowerCase();
  const ordered = reviews
    .map((review, index) => ({ review, index, time: Date.parse(review.submittedAt) || 0 }))
    .filter(({ review }) => review.state !== "COMMENTED" && review.state !== "PENDING" && review.user.toLowerCase() !== self)
    .sort((a, b) => a.time - b.time || a.index - b.index);
  const standing = new Map<string, Review>();
  for (const { review } of ordered) standing.set(review.user.toLowerCase(), review);
  return standing;
}

function membersOf(team: string, teamMembers: Map<string, Set<string>>): Set<string> | undefined {
  return teamMembers.get(team) ?? teamMembers.get(team.slice(1));
}

/** Whether `login` may approve under `from` (empty = anyone with write access, or anyone when `writers` is unknown). */
export function isAllowed(login: string, from: string[], teamMembers: Map<string, Set<string>>, writers?: Set<string>): boolean {
  const { users, teams } = requiredTeamsOrUsers(from);
  const who = login.toLowerCase();
  if (users.length === 0 && teams.length === 0) return writers ? writers.has(who) : true;
  if (users.includes(who)) return true;
  return teams.some((team) => {
    const members = membersOf(team, teamMembers);
    return members !== undefined && (members.has(who) || [...members].some((m) => m.toLowerCase() === who));
  });
}

export interface Tally {
  /** Logins (as GitHub spells them) whose standing approval is on the head and allowed. */
  approvers: string[];
  /** Approvals that exist but do not count, with the reason: "carol (approved def5678)". */
  notCounted: string[];
  /** Allowed reviewers whose standing review requests changes, on any commit. */
  blockers: Review[];
  /** Teams in `from` the adapter could not resolve: their members cannot count. */
  unresolvedTeams: string[];
}

/** Counts approvals for one environment's `from` list. */
export function tally(standing: Map<string, Review>, headSha: string, from: string[], teamMembers: Map<string, Set<string>>, writers?: Set<string>): Tally {
  const result: Tally = { approvers: [], notCounted: [], blockers: [], unresolvedTeams: [] };
  for (const review of standing.values()) {
    const allowed = isAllowed(review.user, from, teamMembers, writers);
    if (review.state === "CHANGES_REQUESTED" && allowed) result.blockers.push(review);
    if (review.state !== "APPROVED") continue;
    const user = plain(review.user, 80);
    if (!allowed) result.notCounted.push(from.length ? `${user} (not an allowed reviewer)` : `${user} (no write access)`);
    else if (review.commitId !== headSha) result.notCounted.push(`${user} (approved ${shortSha(review.commitId)})`);
    else result.approvers.push(user);
  }
  result.approvers.sort();
  result.notCounted.sort();
  result.blockers.sort((a, b) => a.user.localeCompare(b.user));
  result.unresolvedTeams = requiredTeamsOrUsers(from).teams.filter((t) => !membersOf(t, teamMembers));
  return result;
}
