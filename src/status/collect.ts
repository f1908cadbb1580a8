// Reads the status model: installations → repositories with a valid
// .github/converge.yml → environments. Per repository the config and 2 issue
// lists (open revert PRs, open drift issues); per environment 1 GET of the
// inventory parent on its cluster, the last deployments, 1 call per deployment
// for its statuses and 1 for the PR of the applied commit. Every GitHub read
// is conditional (ETag): what did not change since the last read answers 304,
// which GitHub does not count against the rate limit — and finished
// deployments, the bulk of it, do not change. The caller caches the result
// (page.ts), so a page view does not fan out into this every time.
import type { Logger } from "pino";
import type { EnvironmentConfig } from "../config/types.js";
import type { ClusterPool } from "../agent/clusters.js";
import { readRepoConfig } from "../github/config.js";
import { conditionalGet } from "../github/conditional.js";
import { installationRepos, type InstalledRepo } from "../github/installations.js";
import { mapBounded } from "../util/pool.js";
import type { GitHub, RepoRef } from "../github/types.js";
import { parentRef, type InventoryState } from "../inventory/applyset.js";
import { readInventory as readParent } from "../cluster/inventory.js";
import { DRIFT_LABEL, parseFirstSeen } from "../report/drift.js";
import { escapeInline } from "../report/escape.js";
import { REVERT_LABEL } from "../engine/approval.js";
import { scrub } from "../observe/scrub.js";
import { deriveDrift, deriveHealth, durationOf, type DeployRecord, type EnvironmentStatus, type Link, type StatusModel } from "./model.js";

export interface CollectDeps {
  /** The app's JWT client (lists installations). */
  appOctokit: () => Promise<GitHub>;
  installationOctokit: (id: number) => Promise<GitHub>;
  clusters: ClusterPool;
  log: Logger;
  /** Deployments shown per environment (default 5). */
  deploysPerEnvironment?: number;
  /** Repositories read at once (default 6). */
  concurrency?: number;
}

type Repo = InstalledRepo;

interface IssueLike {
  number: number;
  title: string;
  html_url: string;
  body?: string | null;
  created_at: string;
  pull_request?: unknown;
}

export async function collectStatus(deps: CollectDeps): Promise<StatusModel> {
  const model: StatusModel = { generatedAt: new Date().toISOString(), environments: [], problems: [] };
  const appGh = await deps.appOctokit();
  const installations = await appGh.paginate(appGh.rest.apps.listInstallations, { per_page: 100 });
  const work: Array<() => Promise<void>> = [];
  for (const inst of installations) {
    const gh = await deps.installationOctokit(inst.id);
    for (const r of await installationRepos(gh, inst.id)) {
      work.push(async () => {
        try {
          model.environments.push(...(await collectRepo(gh, r, deps)));
        } catch (err) {
          model.problems.push({ repository: r.full_name, message: scrub((err as Error).message).slice(0, 300) });
          deps.log.warn({ repository: r.full_name, err: (err as Error).message }, "status page: repository not readable");
        }
      });
    }
  }
  await mapBounded(work, deps.concurrency ?? 6, (job) => job());
  model.environments.sort((a, b) => a.repository.localeCompare(b.repository) || a.environment.localeCompare(b.environment));
  model.problems.sort((a, b) => a.repository.localeCompare(b.repository));
  return model;
}

async function collectRepo(gh: GitHub, r: Repo, deps: CollectDeps): Promise<EnvironmentStatus[]> {
  const repo: RepoRef = { owner: r.owner.login, repo: r.name };
  const cfg = await readRepoConfig(gh, repo, r.default_branch ?? "main");
  if (cfg.kind === "missing") return [];
  if (cfg.kind === "invalid") throw new Error(`.github/converge.yml is invalid (${cfg.error.issues.length} issue${cfg.error.issues.length === 1 ? "" : "s"})`);
  const envs = cfg.config.environments;
  if (!envs.length) return [];
  const [reverts, drifts] = await Promise.all([openIssues(gh, repo, REVERT_LABEL), openIssues(gh, repo, DRIFT_LABEL)]);
  return Promise.all(envs.map((env) => collectEnvironment(gh, r, env, reverts, drifts, deps)));
}

async function collectEnvironment(gh: GitHub, r: Repo, env: EnvironmentConfig, reverts: IssueLike[], drifts: IssueLike[], deps: CollectDeps): Promise<EnvironmentStatus> {
  const repo: RepoRef = { owner: r.owner.login, repo: r.name };
  const problems: string[] = [];
  const [inventory, deploys] = await Promise.all([
    readInventory(deps.clusters, r.full_name, env).catch((err: Error) => {
      problems.push(`cluster "${env.cluster}": ${scrub(err.message).slice(0, 300)}`);
      return undefined;
    }),
    lastDeploys(gh, repo, env.name, deps.deploysPerEnvironment ?? 5),
  ]);
  const revision = inventory?.revision;
  const pull = revision ? await pullOf(gh, repo, revision) : undefined;
  // The revert body names the environment as "to **<env>**"; the drift body carries a per-environment marker.
  const mention = `to **${escapeInline(env.name)}**`;
  const driftIssue = drifts.find((i) => (i.body ?? "").includes(`<!-- converge:drift:${env.name} -->`));
  return {
    repository: r.full_name,
    repositoryUrl: r.html_url,
    environment: env.name,
    cluster: env.cluster,
    namespace: env.namespace ?? "default",
    branch: env.branch,
    revision,
    commitUrl: revision ? `${r.html_url}/commit/${revision}` : undefined,
    pull,
    result: inventory?.result,
    appliedAt: inventory?.appliedAt,
    failedRevision: inventory?.failedRevision,
    health: deriveHealth(inventory, deploys),
    drift: deriveDrift(env.drift.action, driftIssue ? { ...link(driftIssue), firstSeen: parseFirstSeen(driftIssue.body ?? "") ?? driftIssue.created_at } : undefined),
    deploys,
    deploymentsUrl: `${r.html_url}/deployments/${encodeURIComponent(env.name)}`,
    reverts: reverts.filter((i) => i.pull_request && (i.body ?? "").includes(mention)).map(link),
    problems,
  };
}

/** What the cluster says about the environment; undefined when the repository may not use the cluster. */
async function readInventory(clusters: ClusterPool, repository: string, env: EnvironmentConfig): Promise<InventoryState | undefined> {
  const target = clusters.target(repository, env.cluster);
  if ("refused" in target) throw new Error(target.refused);
  return readParent(target.client, parentRef(repository, env.name, env.namespace));
}

interface Deployment {
  id: number;
  sha: string;
  description?: string | null;
  payload?: unknown;
  created_at: string;
  updated_at: string;
}

interface DeploymentStatus {
  state: string;
  description?: string | null;
  created_at: string;
}

async function lastDeploys(gh: GitHub, repo: RepoRef, environment: string, n: number): Promise<DeployRecord[]> {
  const data = (await conditionalGet<Deployment[]>(gh, "GET /repos/{owner}/{repo}/deployments", { ...repo, environment, per_page: n })) ?? [];
  return Promise.all(
    data.slice(0, n).map(async (d) => {
      const statuses = (await conditionalGet<DeploymentStatus[]>(gh, "GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", { ...repo, deployment_id: d.id, per_page: 5 })) ?? [];
      // Newest first. A success later replaced by a newer deploy gets an "inactive" on top: the outcome is under it.
      const outcome = statuses.find((s) => s.state !== "inactive") ?? statuses[0];
      const state = outcome?.state ?? "pending";
      const payload = d.payload as { converge?: { trigger?: string } } | string | undefined;
      return {
        sha: d.sha,
        state: statuses.every((s) => s.state === "inactive") && statuses.length ? "inactive" : state,
        description: scrub(outcome?.description ?? d.description ?? ""),
        trigger: typeof payload === "object" ? payload?.converge?.trigger : undefined,
        createdAt: d.created_at,
        updatedAt: outcome?.created_at ?? d.updated_at,
        durationMs: durationOf(d.created_at, state, outcome?.created_at),
      };
    }),
  );
}

async function pullOf(gh: GitHub, repo: RepoRef, sha: string): Promise<Link | undefined> {
  if (!/^[0-9a-f]{40}$/i.test(sha)) return undefined; // not a commit (e.g. a hand-seeded revision)
  try {
    const data = await conditionalGet<Array<{ number: number; title: string; html_url: string }>>(gh, "GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", { ...repo, commit_sha: sha, per_page: 1 });
    const p = data?.[0];
    return p ? { number: p.number, title: p.title, url: p.html_url } : undefined;
  } catch (err) {
    if ((err as { status?: number }).status === 422) return undefined; // the commit is not in the repository (any more)
    throw err;
  }
}

/** Open issues and PRs with the label (the first 100: more open reverts or drift issues than that is its own alarm). */
async function openIssues(gh: GitHub, repo: RepoRef, label: string): Promise<IssueLike[]> {
  return (await conditionalGet<IssueLike[]>(gh, "GET /repos/{owner}/{repo}/issues", { ...repo, state: "open", labels: label, per_page: 100 })) ?? [];
}

function link(i: IssueLike): Link {
  return { number: i.number, title: i.title, url: i.html_url };
}


