// GitHub's remaining REST quota, read from the x-ratelimit-remaining header of
// every response the app's clients get. Probot makes a new Octokit per webhook
// handler (context.octokit) and per app.auth(id), all from one Octokit class
// per Probot instance (`Octokit.defaults(...)` of the class it was given).
// Octokit reads its class's plugin list at construction, so one plugin added
// to that class's own list hooks every client this app makes — however the
// app is started (probot run, bin/start.js, tests) and without touching other
// Probot instances in the process (their classes are siblings, not parents).
//
// The same plugin keeps request bodies out of the logs: Probot's request
// logging writes every request's body at debug level, and Converge's bodies
// carry repository file contents (a revert commit restoring a Secret manifest
// would put its value in the log), comments and check-run reports.
import type { Probot } from "probot";

type Headers = Record<string, unknown> | undefined;

interface Hookable {
  log?: { debug?: (obj: unknown, msg?: string, ...rest: unknown[]) => void };
  hook: {
    after(name: "request", fn: (res: { headers?: Headers }) => void): void;
    error(name: "request", fn: (err: { response?: { headers?: Headers } }) => never): void;
  };
}

type Plugin = (octokit: Hookable, options: { auth?: { installationId?: number | string } }) => void;

export async function observeGitHub(app: Probot, onRemaining: (installation: string, remaining: number) => void): Promise<void> {
  const watch = (octokit: Hookable, installation: string) => {
    const read = (headers: Headers) => {
      const value = headers?.["x-ratelimit-remaining"];
      if (value !== undefined && value !== null && value !== "") onRemaining(installation, Number(value));
    };
    quietBodies(octokit);
    octokit.hook.after("request", (res) => read(res?.headers));
    octokit.hook.error("request", (err) => {
      read(err?.response?.headers); // a 304 tells the quota without spending it; 4xx count too
      throw err;
    });
  };
  const plugin: Plugin = (octokit, options) => {
    const id = options?.auth?.installationId;
    watch(octokit, id === undefined ? "app" : String(id));
  };

  const root = (await app.auth()) as unknown as Hookable; // the app's JWT client, made before this ran
  watch(root, "app");
  const Octokit = root.constructor as unknown as { plugins: Plugin[] };
  // Only a class of this Probot instance (one made by .defaults(), without its own list) gets the plugin.
  if (Object.hasOwn(Octokit, "plugins")) return;
  Object.defineProperty(Octokit, "plugins", { value: [...Octokit.plugins, plugin], writable: true, configurable: true });
}

/** "GitHub request: POST …/git/trees - 201" stays; the request body it came with does not. */
function quietBodies(octokit: Hookable): void {
  const log = octokit.log;
  const debug = log?.debug;
  if (!log || typeof debug !== "function") return;
  log.debug = (obj: unknown, msg?: string, ...rest: unknown[]) =>
    typeof msg === "string" && msg.startsWith("GitHub request:") ? debug.call(log, {}, msg) : debug.call(log, obj, msg, ...rest);
}
