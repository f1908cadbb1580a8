// Public API of the configuration module: repository config and cluster registry.

export type * from "./types.js";
export { ConfigError, formatIssue, type ConfigIssue } from "./errors.js";
export { parseConfig, parseConfigValue } from "./parse.js";
export {
  DEFAULT_CONFIG_FILE,
  CLUSTERS_ENV_VAR,
  MAX_CONFIG_BYTES,
  environmentDefaults,
  type EnvironmentDefaults,
} from "./defaults.js";
export {
  parseRegistry,
  loadRegistry,
  type ClusterEntry,
  type ClusterRegistry,
  type RegistryResult,
} from "./registry.js";
export { checkClusterAccess, type AccessRequest, type AccessResult } from "./access.js";
export { globMatch } from "./glob.js";
