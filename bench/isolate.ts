// Runs one benchmark case in a fresh Node process, so its memory figures do
// not depend on what ran before (V8 keeps a grown heap, and RSS rarely goes
// back down): `runIsolated` forks an entry module, `serveIsolated` is that
// module's side. Input and result travel over the IPC channel as JSON.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

export function runIsolated<I, R>(entry: URL, input: I): Promise<R> {
  // --expose-gc for clean baselines; other flags (e.g. --cpu-prof) are inherited.
  const execArgv = [...new Set([...process.execArgv, "--expose-gc"])];
  const child = fork(fileURLToPath(entry), [], { execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise<R>((resolve, reject) => {
    let settled = false;
    child.on("message", (m: { ok: true; result: R } | { ok: false; error: string }) => {
      settled = true;
      if (m.ok) resolve(m.result);
      else reject(new Error(m.error));
    });
    child.once("exit", (code, signal) => {
      if (!settled) reject(new Error(`benchmark case process exited (${signal ?? `code ${code}`}) without a result`));
    });
    child.send(input as object);
  });
}

export function serveIsolated<I, R>(handler: (input: I) => Promise<R>): void {
  process.once("message", (input: I) => {
    handler(input).then(
      (result) => process.send!({ ok: true, result }, () => process.exit(0)),
      (err: Error) => process.send!({ ok: false, error: err.stack ?? String(err) }, () => process.exit(1)),
    );
  });
}
