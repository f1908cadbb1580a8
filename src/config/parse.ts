// Entry points for .github/converge.yml. Both run the same validator; text
// input adds line numbers and YAML-level safety checks (size, aliases,
// duplicate keys). Callers must pass the default branch's file, never the PR
// head's: a pull request must not be able to change the policy that approves it.

import { entries, finish, mapping, newCtx, report, type Ctx } from "./check.js";
import { DEFAULT_CONFIG_FILE } from "./defaults.js";
import { readEnvironment } from "./environment.js";
import { ConfigError } from "./errors.js";
import { environmentName } from "./rules.js";
import { suggest } from "./suggest.js";
import type { EnvironmentConfig, RepoConfig } from "./types.js";
import { loadYaml } from "./yaml.js";

/** Parse and validate the config text; throws ConfigError listing every problem with its line. */
export function parseConfig(text: string, file = DEFAULT_CONFIG_FILE): RepoConfig {
  const loaded = loadYaml(text, file);
  if (loaded.fatal) throw new ConfigError(loaded.issues);
  return validate(newCtx(file, loaded.locate, loaded.issues), loaded.value);
}

/** Validate a value parsed elsewhere (Probot's context.config); same rules, no line numbers. */
export function parseConfigValue(value: unknown, file = DEFAULT_CONFIG_FILE): RepoConfig {
  return validate(newCtx(file), value);
}

function validate(ctx: Ctx, value: unknown): RepoConfig {
  const config = readConfig(ctx, value);
  const issues = finish(ctx);
  if (issues.length > 0 || !config) throw new ConfigError(issues.length > 0 ? issues : [{ file: ctx.file, field: "", message: "invalid configuration" }]);
  return config;
}

function readConfig(ctx: Ctx, value: unknown): RepoConfig | undefined {
  if (value === null || value === undefined) {
    report(ctx, [], "file is empty; it needs an environments mapping (see docs/configuration.md)");
    return undefined;
  }
  // A stray top-level key is usually an environment written one level too high.
  const misplaced = (key: string) =>
    suggest(key, ["environments"]) ? undefined : `unknown field; the only top-level key is environments (environment settings go under it)`;
  const top = mapping(ctx, [], value, ["environments"], "a mapping with an environments key", misplaced);
  if (!top) return undefined;
  if (!top.has("environments") || top.get("environments") == null) {
    report(ctx, ["environments"], "is required: map each environment name to its path and cluster");
    return undefined;
  }
  const envs = entries(ctx, ["environments"], top.get("environments"), "a mapping from environment name to settings");
  if (!envs) return undefined;
  if (envs.length === 0) report(ctx, ["environments"], "must define at least one environment");

  const out: EnvironmentConfig[] = [];
  for (const [name, v] of envs) {
    const path = ["environments", name];
    environmentName(ctx, path, name);
    const env = readEnvironment(ctx, path, name, v);
    if (env) out.push(env);
  }
  return { environments: out };
}
