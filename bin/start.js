#!/usr/bin/env node
// `npm start`: runs the Probot app. Without APP_ID it serves Probot's setup
// page built from app.yml; NO_SMEE_SETUP keeps it from reaching the internet.
import { run } from "probot";
import { converge } from "../dist/src/index.js";

process.env.NO_SMEE_SETUP ??= "true";
if (!process.env.APP_ID) {
  const port = process.env.PORT || "3000";
  console.log(
    `Converge: no GitHub App configured (APP_ID is not set).\n` +
      `  1. Open http://localhost:${port} and register the app from app.yml (Probot's setup page).\n` +
      `  2. Restart with APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH) and WEBHOOK_SECRET set,\n` +
      `     and CONVERGE_CLUSTERS pointing at your cluster registry (see docs/getting-started.md).`,
  );
}
await run(converge);
