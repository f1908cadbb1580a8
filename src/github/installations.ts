// The repositories one installation of the app can see (conditional reads:
// an unchanged page answers 304). Used by the reconcile walk and the status page.
import { conditionalGet } from "./conditional.js";
import type { GitHub } from "./types.js";

export interface InstalledRepo {
  name: string;
  full_name: string;
  html_url: string;
  owner: { login: string };
  default_branch?: string;
}

export async function installationRepos(gh: GitHub, installationId: number): Promise<InstalledRepo[]> {
  const out: InstalledRepo[] = [];
  for (let page = 1; ; page++) {
    // The route names no repository: scope the cache by installation, or every installation would share one entry.
    const data = await conditionalGet<{ repositories: InstalledRepo[]; total_count: number }>(gh, "GET /installation/repositories", { per_page: 100, page }, `installation:${installationId}`);
    out.push(...(data?.repositories ?? []));
    if (!data || out.length >= data.total_count || !data.repositories.length) return out;
  }
}
