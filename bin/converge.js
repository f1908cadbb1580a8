#!/usr/bin/env node
// `npx converge …` from a checkout after `npm ci` (which builds dist/).
import { runCli } from "../dist/src/cli/main.js";

const code = await runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
});
process.exitCode = code;
