// Errors the user caused in a configuration file. Every problem is collected
// (one typo must not hide the next) and names the file, the field and, when
// the text is known, the line, so a check run or the CLI can point at it.

export interface ConfigIssue {
  file: string;
  /** Dotted path of the offending field, e.g. "environments.production.approvals.required"; "" for the whole file. */
  field: string;
  /** 1-based line of the offending node; absent when the value did not come from text. */
  line?: number;
  message: string;
}

export class ConfigError extends Error {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    super(summarize(issues));
    this.name = "ConfigError";
    this.issues = issues;
  }
}

/** One issue as `file:line: field: message`, the form editors and CI logs link. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}`;
  return issue.field ? `${where}: ${issue.field}: ${issue.message}` : `${where}: ${issue.message}`;
}

function summarize(issues: ConfigIssue[]): string {
  if (issues.length === 0) return "invalid configuration";
  const head = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
  return `${head} in ${issues[0].file}:\n` + issues.map((i) => `  ${formatIssue(i)}`).join("\n");
}
