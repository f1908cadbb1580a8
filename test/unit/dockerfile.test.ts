// The Dockerfile, checked without a Docker daemon: parsed into instructions
// (continuation lines joined, comments dropped) and held against the
// repository it builds from and the app it runs.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

interface Instruction {
  keyword: string; // upper-case: FROM, COPY, RUN, …
  args: string; // the rest, continuation lines joined with a space
  line: number; // 1-based line of the keyword
}

interface Stage {
  index: number;
  image: string;
  name?: string;
  instructions: Instruction[];
}

/** Dockerfile text → instructions. Parser directives and comments are dropped; `\` continues a line. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let current: Instruction | undefined;
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    const trimmed = line.trim();
    // Inside a continuation, comment lines and empty lines are skipped (as Docker does).
    if (trimmed.startsWith("#") || (trimmed === "" && !current)) return;
    if (trimmed === "") return;
    const continues = /\\\s*$/.test(line);
    const body = continues ? line.replace(/\\\s*$/, "") : line;
    if (current) current.args = `${current.args} ${body.trim()}`.trim();
    else {
      const m = /^\s*(\S+)\s*(.*)$/.exec(body)!;
      current = { keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: i + 1 };
    }
    if (!continues) {
      out.push(current);
      current = undefined;
    }
  });
  if (current) out.push(current);
  return out;
}

/** Splits instructions into stages; ARGs before the first FROM supply defaults for FROM lines. */
export function stagesOf(instructions: Instruction[]): { globalArgs: Map<string, string>; stages: Stage[] } {
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === "FROM") {
      const [image, as, name] = ins.args.split(/\s+/);
      const resolved = image!.replace(/\$\{?(\w+)\}?/g, (_, v: string) => globalArgs.get(v) ?? "");
      stages.push({ index: stages.length, image: resolved, name: as?.toUpperCase() === "AS" ? name : undefined, instructions: [] });
      continue;
    }
    if (!stages.length) {
      if (ins.keyword === "ARG") {
        const [k, v] = ins.args.split("=");
        globalArgs.set(k!, v ?? "");
      }
      continue;
    }
    stages.at(-1)!.instructions.push(ins);
  }
  return { globalArgs, stages };
}

interface Copy {
  from?: string;
  sources: string[];
  dest: string;
}

function parseCopy(args: string): Copy {
  const flags: Record<string, string> = {};
  let rest = args;
  for (let m = /^--(\w[\w-]*)(?:=(\S+))?\s+/.exec(rest); m; m = /^--(\w[\w-]*)(?:=(\S+))?\s+/.exec(rest)) {
    flags[m[1]!] = m[2] ?? "";
    rest = rest.slice(m[0].length);
  }
  const parts = rest.startsWith("[") ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
  return { from: flags.from, sources: parts.slice(0, -1), dest: parts.at(-1)! };
}

/** .dockerignore semantics (moby/patternmatcher): a path is excluded when it or a parent matches; `!` re-includes; last match wins. */
function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const negate = l.startsWith("!");
      const pattern = (negate ? l.slice(1) : l).trim().replace(/^\/+/, "").replace(/\/+$/, "");
      const re = pattern
        .split("/")
        .map((seg) => (seg === "**" ? ".*" : seg.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")))
        .join("/");
      return { negate, re: new RegExp(`^${re}$`) };
    });
  return (path) => {
    const clean = path.replace(/^\.\/+/, "").replace(/\/+$/, "");
    const candidates = clean.split("/").map((_, i, segs) => segs.slice(0, i + 1).join("/"));
    let excluded = false;
    for (const rule of rules) if (candidates.some((c) => rule.re.test(c))) excluded = !rule.negate;
    return excluded;
  };
}

const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const { globalArgs, stages } = stagesOf(parseDockerfile(dockerfile));
const final = stages.at(-1)!;
const ignored = dockerignore(existsSync(join(ROOT, ".dockerignore")) ? readFileSync(join(ROOT, ".dockerignore"), "utf8") : "");
const all = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);
const one = (stage: Stage, keyword: string) => all(stage, keyword).at(-1);
const copies = (stage: Stage) => all(stage, "COPY").map((i) => ({ ...parseCopy(i.args), line: i.line }));

describe("parseDockerfile", () => {
  it("joins continuation lines and drops comments inside them", () => {
    const ins = parseDockerfile("# syntax=docker/dockerfile:1\nFROM node:20 AS build\nRUN a \\\n # note\n && b\nCMD [\"node\", \"x.js\"]\n");
    expect(ins).toEqual([
      { keyword: "FROM", args: "node:20 AS build", line: 2 },
      { keyword: "RUN", args: "a && b", line: 3 },
      { keyword: "CMD", args: '["node", "x.js"]', line: 6 },
    ]);
  });
});

describe("Dockerfile", () => {
  it("is multi-stage: at least two named stages before the final one", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages.filter((s) => s.name).length).toBeGreaterThanOrEqual(2);
  });

  it("builds from a Node.js major that package.json's engines accept", () => {
    const engines = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } }).engines.node;
    const minMajor = Number(/>=\s*(\d+)/.exec(engines)![1]);
    for (const s of stages) {
      const major = Number(/^node:(\d+)/.exec(s.image)?.[1]);
      expect(major, `stage ${s.name ?? s.index}: ${s.image}`).toBeGreaterThanOrEqual(minMajor);
    }
    expect(globalArgs.get("NODE_IMAGE")).toMatch(/^node:\d+/);
  });

  it("runs the final stage as a numeric non-root user (Kubernetes' runAsNonRoot can only verify numbers)", () => {
    const user = one(final, "USER")?.args.split(":")[0];
    expect(user).toMatch(/^\d+$/);
    expect(Number(user)).toBeGreaterThan(0);
  });

  it("exposes 3000, checks /healthz, listens on all interfaces, and starts bin/start.js", () => {
    expect(all(final, "EXPOSE").map((i) => i.args)).toContain("3000");
    expect(one(final, "HEALTHCHECK")?.args).toMatch(/\/healthz/);
    const env = all(final, "ENV").map((i) => i.args).join(" ");
    expect(env).toMatch(/\bPORT=3000\b/);
    // Probot's server binds to "localhost" unless HOST is set: unreachable through a port mapping or a Service.
    expect(env).toMatch(/\bHOST=0\.0\.0\.0\b/);
    const cmd = JSON.parse(one(final, "CMD")!.args) as string[];
    expect(cmd).toEqual(["node", "bin/start.js"]);
  });

  it("copies into the final stage what bin/start.js imports, and package.json (\"type\": \"module\")", () => {
    const start = readFileSync(join(ROOT, "bin/start.js"), "utf8");
    expect(start).toContain('from "../dist/src/index.js"');
    const cs = copies(final);
    expect(cs.some((c) => c.from === "build" && c.sources.includes("/app/dist/src") && c.dest.replace(/\/$/, "") === "./dist/src")).toBe(true);
    expect(cs.some((c) => !c.from && c.sources.includes("package.json"))).toBe(true);
    expect(cs.some((c) => !c.from && c.sources.includes("bin"))).toBe(true);
    expect(one(final, "WORKDIR")?.args).toBe("/app");
  });

  it("copies from the build context only files that exist and that .dockerignore does not exclude", () => {
    const fromContext = stages.flatMap((s) => copies(s).filter((c) => !c.from));
    expect(fromContext.length).toBeGreaterThan(0);
    for (const c of fromContext) {
      for (const src of c.sources) {
        expect(existsSync(join(ROOT, src)), `COPY ${src} (line ${c.line}) does not exist`).toBe(true);
        expect(ignored(src), `COPY ${src} (line ${c.line}) is excluded by .dockerignore`).toBe(false);
      }
    }
  });

  it("keeps secrets and local state out of the build context", () => {
    for (const path of [".env", "key.pem", "node_modules", "dist", ".git"]) expect(ignored(path), path).toBe(true);
  });

  it("copies --from only earlier stages", () => {
    for (const s of stages) {
      const earlier = new Set(stages.slice(0, s.index).map((x) => x.name));
      for (const c of copies(s).filter((x) => x.from)) expect(earlier.has(c.from), `COPY --from=${c.from} (line ${c.line})`).toBe(true);
    }
  });

  it("installs dependencies with npm ci from the lockfile in the build stage", () => {
    const build = stages.find((s) => s.name === "build")!;
    expect(all(build, "RUN").some((r) => /\bnpm ci\b/.test(r.args))).toBe(true);
    expect(copies(build).some((c) => c.sources.includes("package-lock.json"))).toBe(true);
  });

  it("installs kubectl (for kustomize) and verifies its checksum before using it", () => {
    const run = stages.flatMap((s) => all(s, "RUN")).find((r) => /dl\.k8s\.io\/release\/.*\/kubectl/.test(r.args))!;
    expect(run).toBeDefined();
    expect(run.args).toMatch(/kubectl\.sha256/);
    expect(run.args).toMatch(/sha256sum (--check|-c)\b/);
    expect(run.args.indexOf("sha256sum")).toBeLessThan(run.args.search(/install -m \d+ \S*kubectl/));
    expect(copies(final).some((c) => c.sources.some((s) => s.endsWith("/kubectl")))).toBe(true);
  });

  it("downloads kubectl for the target platform: TARGETARCH declared without a default (a default would override BuildKit's value)", () => {
    const stage = stages.find((s) => all(s, "RUN").some((r) => /dl\.k8s\.io/.test(r.args)))!;
    const decl = all(stage, "ARG").find((a) => a.args.split("=")[0] === "TARGETARCH");
    expect(decl?.args).toBe("TARGETARCH");
  });
});
