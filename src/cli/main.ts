// `converge diff`: the same plan the PR bot posts, computed from a local
// checkout and a kubeconfig. Exit codes follow `kubectl diff`.
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseCliArgs, USAGE, UsageError, type CliArgs } from "./args.js";
import { repositoryFromGit, headCommit, dirtyPaths } from "./git.js";
import { runDeploy } from "../engine/run-deploy.js";
import { describeFailingObjects } from "../engine/verify.js";
import { defaultIdentity } from "../engine/deploy.js";
import { acquireLease } from "../cluster/lease.js";
import { parentRef } from "../inventory/applyset.js";
import { ConfigError, formatIssue, parseConfig, loadRegistry, checkClusterAccess } from "../config/index.js";
import type { EnvironmentConfig } from "../config/types.js";
import { connect, type ConnectOptions } from "../cluster/connect.js";
import { planEnvironment } from "../engine/plan.js";
import { renderText } from "../report/text.js";
import { renderJson } from "../report/json.js";
import { renderMarkdown } from "../report/markdown.js";
import type { Plan } from "../diff/plan.js";

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

export const EXIT_NO_DIFF = 0;
export const EXIT_DIFF = 1;
export const EXIT_ERROR = 2;

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  let args: CliArgs;
  try {
    args = parseCliArgs(argv);
  } catch (err) {
    io.stderr(`error: ${(err as Error).message}\n\n${USAGE}\n`);
    return EXIT_ERROR;
  }
  if (args.command === "help") {
    io.stdout(`${USAGE}\n`);
    return EXIT_NO_DIFF;
  }
  try {
    return args.command === "apply" ? await apply(args, io) : await diff(args, io);
  } catch (err) {
    io.stderr(`error: ${describeError(err)}\n`);
    return EXIT_ERROR;
  }
}

async function diff(args: CliArgs, io: CliIO): Promise<number> {
  const root = resolve(args.dir);
  const env = await readEnvironment(root, args.env!);
  const repository = args.repo ?? (await repositoryFromGit(root)) ?? `local/${root.split("/").pop()}`;
  const target = clusterTarget(args, env, repository, io.env);
  const client = connect(target.connect);
  try {
    const planned = await planEnvironment({
      env,
      root,
      repository,
      revision: await headCommit(root),
      client,
      authorize: target.authorize,
    });
    io.stdout(render(planned.plan, args.output));
    if (planned.plan.errors.length) {
      if (args.output !== "text") for (const e of planned.plan.errors) io.stderr(`error: ${e.file ? `${e.file}${e.line ? `:${e.line}` : ""}: ` : ""}${e.message}\n`);
      return EXIT_ERROR;
    }
    const { create, update, delete: del } = planned.plan.summary;
    return create + update + del > 0 ? EXIT_DIFF : EXIT_NO_DIFF;
  } finally {
    client.close();
  }
}

/**
 * `converge apply`: the deploy pipeline from a clean checkout. Refuses
 * uncommitted changes under the environment's path (every mutation must be
 * traceable to a commit), stamps HEAD's SHA, takes the environment's Lease so
 * it never races the bot.
 */
async function apply(args: CliArgs, io: CliIO): Promise<number> {
  const root = resolve(args.dir);
  const env = await readEnvironment(root, args.env!);
  const sha = await headCommit(root);
  if (!sha) throw new UsageError(`${root} is not a git checkout with a commit: converge apply deploys commits only`);
  const dirty = await dirtyPaths(root, env.path);
  if (dirty.length) throw new UsageError(`uncommitted changes under ${env.path}: ${dirty.slice(0, 5).join(", ")}${dirty.length > 5 ? ", …" : ""}; commit them first`);
  const repository = args.repo ?? (await repositoryFromGit(root)) ?? `local/${root.split("/").pop()}`;
  const target = clusterTarget(args, env, repository, io.env);
  const client = connect(target.connect);
  const parent = parentRef(repository, env.name, env.namespace);
  const lease = await acquireLease(client, { namespace: io.env.CONVERGE_LEASE_NAMESPACE ?? "default", name: parent.name, identity: `cli-${defaultIdentity()}`, waitMs: 60_000 });
  if (!lease) {
    client.close();
    throw new UsageError(`environment ${env.name} is being deployed by someone else (Lease ${parent.name} is held)`);
  }
  try {
    io.stderr(`applying ${sha.slice(0, 7)} to ${env.name}…\n`);
    const run = await runDeploy({ env, root, repository, revision: sha, client, authorize: target.authorize, verifyTimeoutMs: args.timeout ? args.timeout * 1000 : undefined, signal: lease.lost });
    if (run.plan) io.stdout(render(run.plan, args.output));
    if (run.ok) {
      io.stderr(`applied ${sha.slice(0, 7)} to ${env.name} in ${(run.durationMs / 1000).toFixed(1)} s: ${run.message}\n`);
      return EXIT_NO_DIFF;
    }
    io.stderr(`error: ${run.reason}: ${run.message}\n`);
    for (const f of run.failing) io.stderr(`${describeFailingObjects([f])}\n`);
    return run.reason === "Degraded" || run.reason === "Timeout" ? EXIT_DIFF : EXIT_ERROR;
  } finally {
    await lease.release();
    client.close();
  }
}

async function readEnvironment(root: string, name: string): Promise<EnvironmentConfig> {
  const file = ".github/converge.yml";
  let text: string;
  try {
    text = await readFile(join(root, file), "utf8");
  } catch {
    throw new UsageError(`${file} not found in ${root}`);
  }
  const config = parseConfig(text, file);
  const env = config.environments.find((e) => e.name === name);
  if (!env) throw new UsageError(`${file}: no environment "${name}" (have: ${config.environments.map((e) => e.name).join(", ") || "none"})`);
  return env;
}

interface ClusterTarget {
  connect: ConnectOptions;
  authorize?: (namespaces: string[], clusterScoped: boolean) => string | undefined;
}

/** Flags win; then the operator's registry (with its allowlist); then the default kubeconfig chain. */
function clusterTarget(args: CliArgs, env: EnvironmentConfig, repository: string, procEnv: NodeJS.ProcessEnv): ClusterTarget {
  if (args.kubeconfig || args.context) return { connect: { kubeconfig: args.kubeconfig, context: args.context } };
  if (!procEnv.CONVERGE_CLUSTERS) return { connect: {} };
  const loaded = loadRegistry(procEnv.CONVERGE_CLUSTERS);
  if (!loaded.ok) throw loaded.error;
  const registry = loaded.registry;
  const entry = registry.clusters.find((c) => c.name === env.cluster);
  if (!entry) throw new UsageError(`cluster "${env.cluster}" is not in the cluster registry ${procEnv.CONVERGE_CLUSTERS}`);
  // A repository the cluster does not accept at all is refused before any request to it.
  const precheck = checkClusterAccess(registry, { cluster: env.cluster, repository, namespaces: [], clusterScoped: false });
  if (!precheck.allowed) throw new UsageError(precheck.reason);
  return {
    connect: { kubeconfig: entry.kubeconfig, context: entry.context, inCluster: entry.inCluster },
    authorize: (namespaces, clusterScoped) => {
      const access = checkClusterAccess(registry, { cluster: env.cluster, repository, namespaces, clusterScoped });
      return access.allowed ? undefined : access.reason;
    },
  };
}

function render(plan: Plan, output: CliArgs["output"]): string {
  if (output === "json") return `${renderJson(plan)}\n`;
  if (output === "markdown") return `${renderMarkdown([plan]).join("\n")}\n`;
  return renderText(plan);
}

function describeError(err: unknown): string {
  if (err instanceof ConfigError) return err.issues.map(formatIssue).join("\nerror: ");
  return (err as Error).message;
}
