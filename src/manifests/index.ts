// Public surface of src/manifests: load + render an environment's manifests,
// object identity (object.ts) and apply order.
export { loadManifests } from "./load.js";
export { DEFAULT_LIMITS } from "./types.js";
export { clearParseCache } from "./cache.js";
export type { LoadOptions, LoadResult, ManifestError, ManifestLimits } from "./types.js";
export { kindOrder, sortObjects } from "./order.js";
export { namespacedByTable } from "./scope.js";
export { formatManifestError, touchesInputs } from "./inputs.js";
export * from "./object.js";
