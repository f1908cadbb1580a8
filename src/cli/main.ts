// `converge diff`: the same plan the PR bot posts, computed from a local
// checkout and a kubeconfig. Exit codes follow `kubectl diff`.
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseCliArgs, USAGE, UsageError, type CliArgs } from "./args.js";
import { repositoryFromGit, headCommit } from "./git.js";
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
    return await diff(args, io);
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
