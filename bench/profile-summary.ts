// Summarises a .cpuprofile: self time by function, and by area (this
// project's src/ folders, the simulated server, each npm package, node
// internals, GC, idle), so "where does the time go" has numbers.
//   node dist/bench/profile-summary.js FILE.cpuprofile [--top 25]
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export function area(url: string, fn: string): string {
  if (!url) return fn.startsWith("(") ? fn : "(native)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `npm:${pkg[1]}`;
  if (url.startsWith("node:")) return "node internals";
  const own = /\/dist\/((?:src|test\/support|bench)\/[^/]+)/.exec(url);
  if (own) return own[1]!.replace(/\.js$/, "");
  return url;
}

export function summarise(p: Profile, top = 25): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const total = (p.endTime - p.startTime) / 1000;
  const fns = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const f = n.callFrame;
    const a = area(f.url, f.functionName);
    const key = `${f.functionName || "(anonymous)"}  ${f.url ? `${f.url.replace(/^.*\/(node_modules|dist)\//, "$1/")}:${f.lineNumber + 1}` : ""}`;
    fns.set(key, (fns.get(key) ?? 0) + us / 1000);
    areas.set(a, (areas.get(a) ?? 0) + us / 1000);
  }
  const rows = (m: Map<string, number>, k: number) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([name, ms]) => `${ms.toFixed(0).padStart(8)} ms ${((ms / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
  return [`profile: ${total.toFixed(0)} ms`, "", "self time by area:", ...rows(areas, 30), "", `top ${top} functions by self time:`, ...rows(fns, top)].join("\n");
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, "/"))) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: node dist/bench/profile-summary.js FILE.cpuprofile [--top N]");
    process.exit(2);
  }
  const topAt = process.argv.indexOf("--top");
  console.log(summarise(JSON.parse(readFileSync(file, "utf8")) as Profile, topAt > 0 ? Number(process.argv[topAt + 1]) : 25));
}
