// What Converge told GitHub and did to the cluster in a scenario, reduced to
// what must not depend on faults: comment bodies, check runs per head,
// Deployments and their statuses, issues and pull requests it opened, live
// images. Run-specific noise (commit SHAs, ids in URLs, durations, times) is
// replaced by stable tokens so a run with faults compares equal to one without.
import type { GitHubSim } from "../support/github/index.js";
import type { KubeSim } from "../support/kube/index.js";

export interface ScenarioReport {
  comments: Record<string, string[]>; // "#n" -> bodies in order
  checks: Record<string, string[]>; // head label -> "name: conclusion — title" in creation order
  deployments: string[]; // "sha label · description: state(desc) → …"
  issues: string[]; // issues and PRs opened by the app: "title | head"
  live: Record<string, string>; // "ns/name" -> image
}

const GATE = /<!-- converge:gate ([A-Za-z0-9+/=]+) -->/g;

export function collectReport(gh: GitHubSim, kube: KubeSim, repo: string, namespace: string): ScenarioReport {
  const r = gh.state.requireRepo(repo);
  const comments: Record<string, string[]> = {};
  for (const issue of r.issues.values()) {
    const bodies = gh.comments(repo, issue.number).filter((c) => c.viaApp).map((c) => c.body);
    if (bodies.length) comments[`#${issue.number}`] = bodies;
  }
  const checks: Record<string, string[]> = {};
  for (const run of gh.checkRuns(repo).sort((a, b) => a.id - b.id)) {
    (checks[run.headSha] ??= []).push(`${run.name}: ${run.status}/${run.conclusion} — ${run.output.title ?? ""}\n${run.output.summary ?? ""}\n${run.output.text ?? ""}`);
  }
  const deployments = gh
    .deployments(repo)
    .sort((a, b) => a.id - b.id)
    .map((d) => `${d.sha} · ${d.environment} · ${d.description ?? ""}: ${d.statuses.map((s) => `${s.state}(${s.description})`).join(" → ")}`);
  const issues = [...r.issues.values()].filter((i) => i.viaApp).map((i) => `${i.title} | ${i.pull?.headRef ?? "issue"} | ${i.labels.join(",")}\n${i.body ?? ""}`);
  const live: Record<string, string> = {};
  for (const d of kube.list({ kind: "Deployment", namespace })) {
    live[`${namespace}/${d.metadata.name}`] = JSON.stringify((d.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec.containers.map((c) => c.image));
  }
  return normalize({ comments, checks, deployments, issues, live });
}

/** Stable tokens for SHAs (by first appearance), ids in URLs, durations and timestamps. */
export function normalize(report: ScenarioReport): ScenarioReport {
  const text = JSON.stringify(report).replace(GATE, (_m, b64: string) => `<gate ${Buffer.from(b64, "base64").toString("utf8").replace(/"/g, "'")}>`);
  const shas: string[] = [];
  for (const m of text.matchAll(/\b[0-9a-f]{40}\b/g)) if (!shas.includes(m[0])) shas.push(m[0]);
  let out = text;
  shas.forEach((sha, i) => {
    out = out.split(sha).join(`<sha${i}>`);
    out = out.replace(new RegExp(`\\b${sha.slice(0, 7)}\\b`, "g"), `<sha${i}:7>`);
  });
  out = out
    .replace(/(https?:\/\/[^\s)"'>]*?)\/\d+(?=[\s)"'>/#?]|$)/g, "$1/<id>")
    .replace(/\b\d+(\.\d+)? s\b/g, "<n> s")
    .replace(/\d{4}-\d{2}-\d{2}T[\d:.]+Z/g, "<time>")
    .replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:<port>")
    .replace(/\b([a-z0-9-]+-[a-f0-9]{8,10})-[a-z0-9]{5}\b/g, "$1-<pod>"); // pod names: ReplicaSet hash + random suffix
  return JSON.parse(out) as ScenarioReport;
}
