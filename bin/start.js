#!/usr/bin/env node
// `npm start`: runs the Probot app. Without APP_ID it serves Probot's setup
// page built from app.yml; NO_SMEE_SETUP keeps it from reaching the internet.
import { run } from "probot";
import { converge, shutdown } from "../dist/src/index.js";

process.env.NO_SMEE_SETUP ??= "true";
if (!process.env.APP_ID) {
  const port = process.env.PORT || "3000";
  console.log(
    `Converge: no GitHub App configured (APP_ID is not set).\n` +
      `  1. Open http://localhost:${port} and register the app from app.yml (Probot's setup page).\n` +
      `  2. Restart with APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH) and WEBHOOK_SECRET set,\n` +
      `     and CONVERGE_CLUSTERS pointing at your cluster registry (see docs/getting-started.md).`,
  );
} else if (!process.env.WEBHOOK_SECRET) {
  // Probot would fall back to the secret "development": anyone could forge a push.
  console.error("Converge: WEBHOOK_SECRET is not set. Refusing to start: webhooks could be forged.");
  process.exit(2);
}
const server = await run(converge);

// Kubernetes sends SIGTERM before killing a pod: stop taking webhooks, let
// running jobs finish (their Leases are released), then exit.
process.once("SIGTERM", async () => {
  console.log("Converge: SIGTERM, finishing running jobs (up to 25 s)");
  await Promise.race([Promise.all([server.stop?.(), shutdown()]), new Promise((r) => setTimeout(r, 25_000))]);
  process.exit(0);
});
