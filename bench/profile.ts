// CPU profiles of exactly the measured window, taken with the inspector
// protocol (no --cpu-prof, which would cover seeding too). The diff suite
// uses it for `--profile DIR`; the sim child uses it on request, so the
// engine and the server each get their own .cpuprofile (open in Chrome
// DevTools, or summarise with `node dist/bench/profile-summary.js FILE`).
import { Session } from "node:inspector";
import { writeFileSync } from "node:fs";

export interface Profiler {
  stop(file: string): Promise<void>;
}

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))));
}

export async function startProfile(intervalUs = 500): Promise<Profiler> {
  const session = new Session();
  session.connect();
  await post(session, "Profiler.enable");
  await post(session, "Profiler.setSamplingInterval", { interval: intervalUs });
  await post(session, "Profiler.start");
  return {
    async stop(file) {
      const { profile } = await post<{ profile: unknown }>(session, "Profiler.stop");
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}
