// Inputs and outputs of the approval gate. The gate is pure: the GitHub
// adapter resolves reviews, labels and team members, and hands them in.
import type { EnvironmentConfig } from "../config/types.js";
import type { Plan } from "../diff/plan.js";

export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";

export interface Review {
  user: string;
  state: ReviewState;
  commitId: string;
  submittedAt: string; // ISO 8601
}

export interface ImageRef {
  file?: string;
  line?: number;
  object: string; // "Deployment shop/web"
  container: string;
  image: string;
}

export interface EnvironmentGateInput {
  env: EnvironmentConfig;
  /** undefined when no preview exists for this head yet */
  plan?: Plan;
  /** the head SHA the plan was computed for */
  previewSha?: string;
  /** images of objects the plan creates or updates */
  images: ImageRef[];
  /** objects currently in the inventory (for the delete-share rule) */
  liveObjectCount?: number;
}

export interface GateInput {
  headSha: string;
  /** PR author login; their reviews never count */
  author: string;
  /** all reviews, any order */
  reviews: Review[];
  labels: string[];
  /** "@org/team" (lowercased) -> member logins (lowercased), for teams named in policies */
  teamMembers: Map<string, Set<string>>;
  /**
   * Reviewers (lowercased) with write access to the repository. When given, an
   * empty `approvals.from` means "anyone with write access" (as GitHub's own
   * required reviews); when absent, any reviewer counts.
   */
  writers?: Set<string>;
  /** PR opened by Converge itself to revert a failed deploy */
  isConvergeRevert: boolean;
  environments: EnvironmentGateInput[];
}

export interface GateResult {
  conclusion: "success" | "failure" | "neutral";
  /** one line saying what is missing */
  title: string;
  /** every unmet condition, one sentence each, prefixed with the environment */
  unmet: string[];
  /** conditions that hold */
  met: string[];
}

/**
 * Which rule a condition comes from. The order is the title's priority: what
 * must be fixed by a new push comes before what reviewers can still give,
 * because a push resets approvals anyway.
 */
export const RULES = ["preview", "images", "changes-requested", "dangerous", "approvals"] as const;
export type Rule = (typeof RULES)[number];

/** One evaluated condition of one environment (text without the environment prefix). */
export interface Condition {
  rule: Rule;
  ok: boolean;
  text: string;
  /** Title phrasing when unmet: as short as possible, plain text. */
  short: string;
}
