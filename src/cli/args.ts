// Argument parsing for `converge`; errors are user mistakes with exit code 2.
import { parseArgs } from "node:util";

export type Output = "text" | "markdown" | "json";

export interface CliArgs {
  command: "diff" | "apply" | "help";
  env?: string;
  dir: string;
  kubeconfig?: string;
  context?: string;
  output: Output;
  repo?: string;
  /** apply: verification timeout in seconds (default: the environment's verify.timeout). */
  timeout?: number;
}

export class UsageError extends Error {}

export const USAGE = `Usage: converge <command> [options]

Commands:
  diff     show what applying the checkout would change in the cluster
  apply    apply the checkout's committed HEAD, prune, and verify health
  help     show this help

Options:
  --env NAME          environment from .github/converge.yml (required)
  --dir DIR           repository checkout (default: .)
  --kubeconfig PATH   kubeconfig file (overrides the cluster registry)
  --context NAME      kubeconfig context
  --output FORMAT     text | markdown | json (default: text)
  --repo OWNER/NAME   repository name (default: from the git remote "origin")
  --timeout SECONDS   apply: how long to wait for health (default: the environment's verify.timeout)

Exit codes:
  diff   (as kubectl diff) 0 no differences, 1 differences, 2 error
  apply  0 applied and healthy, 1 verification failed, 2 error (nothing or only part applied)`;

export function parseCliArgs(argv: string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        env: { type: "string", short: "e" },
        dir: { type: "string" },
        kubeconfig: { type: "string" },
        context: { type: "string" },
        output: { type: "string", short: "o" },
        repo: { type: "string" },
        timeout: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const command = values.help ? "help" : (positionals[0] ?? "help");
  if (!["diff", "apply", "help"].includes(command)) throw new UsageError(`unknown command "${command}"`);
  const output = (values.output ?? "text") as Output;
  if (!["text", "markdown", "json"].includes(output)) throw new UsageError(`--output must be text, markdown or json, not "${output}"`);
  if (command !== "help" && !values.env) throw new UsageError("--env is required");
  if (values.repo !== undefined && !/^[\w.-]+\/[\w.-]+$/.test(values.repo)) throw new UsageError(`--repo must be OWNER/NAME, not "${values.repo}"`);
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0)) throw new UsageError(`--timeout must be a positive number of seconds, not "${values.timeout}"`);
  return {
    timeout,
    command: command as CliArgs["command"],
    env: values.env,
    dir: values.dir ?? ".",
    kubeconfig: values.kubeconfig,
    context: values.context,
    output,
    repo: values.repo,
  };
}
