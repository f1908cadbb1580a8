// The "shop" fixture repository, re-targeted to its own namespace and with
// config overrides, so several test repositories can share one cluster.
import { fixtureFiles } from "./stack.js";

export interface ShopOptions {
  namespace: string;
  /** Extra YAML lines under the environment (indented by the caller as "    key: value"). */
  config?: string[];
}

export async function shopFiles(opts: ShopOptions): Promise<Record<string, string>> {
  const files = await fixtureFiles("shop");
  files["deploy/production/namespace.yaml"] = files["deploy/production/namespace.yaml"]!.replace("name: shop", `name: ${opts.namespace}`);
  files[".github/converge.yml"] = files[".github/converge.yml"]!.replace("namespace: shop", `namespace: ${opts.namespace}`) + (opts.config ?? []).map((l) => `${l}\n`).join("");
  return files;
}

export function withImage(files: Record<string, string>, image: string): string {
  return files["deploy/production/web.yaml"]!.replace(/ghcr\.io\/acme\/web:[\w.-]+/, image);
}
