// The validated form of .github/converge.yml. Every field is documented in
// docs/configuration.md; defaults are applied by parseConfig().

export type OnFailure = "revert-pr" | "revert-merge" | "none";
export type DriftAction = "heal" | "report" | "off";

export interface IgnoreRule {
  group?: string; // API group; omitted matches any group
  kind: string;
  name?: string;
  namespace?: string;
  jsonPointers: string[]; // RFC 6901 pointers, e.g. "/spec/replicas"
}

export interface ApprovalPolicy {
  required: number; // approving reviews on the head commit
  from: string[]; // "alice" or "@org/team"; empty = anyone with write access
}

export interface DangerPolicy {
  /** Label that acknowledges a dangerous change. */
  label: string;
  /** Prune/delete share above which a change is dangerous (0..1). */
  maxDeleteShare: number;
  /** Extra approvals that also acknowledge a dangerous change (0 = label only). */
  extraApprovals: number;
}

export interface ImagePolicy {
  /** Allow images without a digest whose tag matches this pattern. */
  allowedTags: string; // a regular expression source
  allowMutable: boolean; // allow "latest", no tag, anything
}

export interface EnvironmentConfig {
  name: string;
  path: string; // repository-relative, normalised, no leading "./" or trailing "/"
  cluster: string;
  branch: string;
  namespace?: string;
  approvals: ApprovalPolicy;
  prune: boolean;
  verify: { timeout: number; restartThreshold: number };
  onFailure: OnFailure;
  drift: { interval: number; action: DriftAction };
  ignoreDifferences: IgnoreRule[];
  dangerous: DangerPolicy;
  images: ImagePolicy;
  /** Whether Converge's own revert PRs pass the approval gate without reviews. */
  autoApproveReverts: boolean;
  /** Force conflicts on server-side apply (take ownership of fields). */
  forceConflicts: boolean;
  /** The environment's URL (GitHub Deployment environment_url). */
  url?: string;
}

export interface RepoConfig {
  environments: EnvironmentConfig[];
}
