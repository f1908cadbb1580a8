// The status page as plain server-rendered HTML: no framework, no script,
// every value escaped. One row per environment; colour always comes with
// words (green "Healthy", red "Failed: <reason>", amber "Deploying" / "Drift
// since …"), and every relative time carries the exact ISO time in `title`.
import { createHash } from "node:crypto";
import type { DeployRecord, EnvironmentStatus, Link, StatusModel } from "./model.js";

export interface RenderOptions {
  now?: number;
  /** Seconds the model is cached for (shown in the footer). */
  cacheSeconds?: number;
  /** Served from a stale cache because a fresh read failed. */
  stale?: string;
}

export function renderStatusPage(model: StatusModel, opts: RenderOptions = {}): string {
  const now = opts.now ?? Date.now();
  const envs = model.environments;
  const count = (f: (e: EnvironmentStatus) => boolean) => envs.filter(f).length;
  const chips = [
    chip("green", count((e) => e.health.state === "healthy"), "healthy"),
    chip("red", count((e) => e.health.state === "failed"), "failed"),
    chip("amber", count((e) => e.health.state === "deploying"), "deploying"),
    chip("amber", count((e) => e.drift.state === "drifted"), "drifted"),
  ].join("");
  const rows = envs.map((e) => row(e, now)).join("\n");
  const problems = model.problems.length
    ? `<section class="problems"><h2>Not shown</h2><ul>${model.problems.map((p) => `<li><strong>${esc(p.repository)}</strong>: ${esc(p.message)}</li>`).join("")}</ul></section>`
    : "";
  const empty = envs.length ? "" : `<p class="empty">No environments yet: no repository this app is installed on has a valid <code>.github/converge.yml</code>.</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="60">
<title>Converge — ${envs.length ? `${count((e) => e.health.state === "failed")} failed, ` : ""}environments</title>
<style>${CSS}</style>
</head>
<body>
<header>
  <h1><span class="logo" aria-hidden="true">◎</span> Converge <span class="sub">environments</span></h1>
  <div class="chips">${chips}</div>
</header>
${opts.stale ? `<p class="stale" role="status">Showing data from ${time(model.generatedAt, now)}: a fresh read failed (${esc(opts.stale)}).</p>` : ""}
<main>
${empty}
${envs.length ? `<table>
<thead><tr><th scope="col">Repository / environment</th><th scope="col">Deployed</th><th scope="col">Health</th><th scope="col">Drift</th><th scope="col">Last deploys</th><th scope="col">Open</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>` : ""}
${problems}
</main>
<footer>Read ${time(model.generatedAt, now)} from the clusters' inventories and GitHub${opts.cacheSeconds ? `; cached for ${opts.cacheSeconds} s` : ""}. This page refreshes every minute. <a href="/converge/api/environments">JSON</a></footer>
</body>
</html>
`;
}

function row(e: EnvironmentStatus, now: number): string {
  const healthColour = { healthy: "green", failed: "red", deploying: "amber", unknown: "grey" }[e.health.state];
  const driftColour = { "in-sync": "green", drifted: "amber", off: "grey", unknown: "grey" }[e.drift.state];
  const deployed = e.revision
    ? `<a class="sha" href="${attr(e.commitUrl ?? "#")}"><code>${esc(e.revision.slice(0, 7))}</code></a>${e.pull ? ` <a class="pr" href="${attr(e.pull.url)}" title="${attr(e.pull.title)}">#${e.pull.number}</a>` : ""}${e.appliedAt ? `<div class="muted">${time(e.appliedAt, now)}</div>` : ""}`
    : `<span class="muted">nothing yet</span>`;
  // A failed deploy leaves the previous revision running: say which commit did not make it.
  const attempted = e.health.state === "failed" ? e.deploys.find((d) => d.state === "failure" || d.state === "error") : undefined;
  const notApplied = attempted && attempted.sha !== e.revision ? `<div class="muted">failed: <a class="failed-sha" href="${attr(`${e.repositoryUrl}/commit/${attempted.sha}`)}"><code>${esc(attempted.sha.slice(0, 7))}</code></a></div>` : "";
  const healthDetail = [e.health.detail ? `<div class="detail">${esc(clip(e.health.detail, 240))}</div>` : "", e.health.since ? `<div class="muted">since ${time(e.health.since, now)}</div>` : ""].join("");
  const driftText = e.drift.state === "drifted" ? (e.drift.since ? `Drift since ${time(e.drift.since, now)}` : "Drift") : esc(e.drift.text);
  const open = [...e.reverts.map((r) => linkItem("revert", r, "Revert PR")), ...(e.drift.issue ? [linkItem("drift", e.drift.issue, "Drift issue")] : [])];
  const problems = e.problems.map((p) => `<div class="warn">⚠ ${esc(p)}</div>`).join("");
  return `<tr class="env env--${e.health.state}" data-repository="${attr(e.repository)}" data-environment="${attr(e.environment)}" data-health="${e.health.state}" data-drift="${e.drift.state}">
  <th scope="row"><a class="repo" href="${attr(e.repositoryUrl)}">${esc(e.repository)}</a><div class="envname">${esc(e.environment)}</div><div class="muted">cluster <code>${esc(e.cluster)}</code> · ns <code>${esc(e.namespace)}</code> · ${esc(e.branch)}</div>${problems}</th>
  <td>${deployed}${notApplied}</td>
  <td><span class="badge ${healthColour}" data-health="${e.health.state}">${esc(e.health.text)}</span>${healthDetail}</td>
  <td><span class="badge ${driftColour}" data-drift="${e.drift.state}">${driftText}</span></td>
  <td>${deployList(e.deploys, e.deploymentsUrl, now)}</td>
  <td>${open.length ? `<ul class="links">${open.join("")}</ul>` : `<span class="muted">—</span>`}</td>
</tr>`;
}

function deployList(deploys: DeployRecord[], url: string, now: number): string {
  if (!deploys.length) return `<span class="muted">none</span>`;
  const items = deploys.map((d) => {
    const colour = d.state === "success" ? "green" : d.state === "failure" || d.state === "error" ? "red" : d.state === "inactive" ? "grey" : "amber";
    const label = d.state === "inactive" ? (d.description.startsWith("Superseded") ? "superseded" : "inactive") : d.state.replace("_", " ");
    return `<li title="${attr(d.description)}"><span class="dot ${colour}" aria-hidden="true"></span><code>${esc(d.sha.slice(0, 7))}</code> <span class="outcome ${colour}">${esc(label)}</span>${d.durationMs !== undefined ? ` <span class="muted">in ${duration(d.durationMs)}</span>` : ""} <span class="muted">· ${time(d.createdAt, now)}</span></li>`;
  });
  return `<ul class="deploys">${items.join("")}</ul><a class="more" href="${attr(url)}">all deployments</a>`;
}

function linkItem(kind: string, l: Link, label: string): string {
  return `<li class="${kind}"><a href="${attr(l.url)}" title="${attr(l.title)}">${label} #${l.number}</a></li>`;
}

function chip(colour: string, n: number, label: string): string {
  return `<span class="chip ${n ? colour : "grey"}"><strong>${n}</strong> ${label}</span>`;
}

/** "<time>3 min ago</time>" with the exact ISO time as title. */
export function time(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return esc(iso);
  const exact = new Date(t).toISOString();
  return `<time datetime="${exact}" title="${exact}">${ago(now - t)}</time>`;
}

export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 10) return "just now";
  if (s < 60) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 36) return `${h} h ago`;
  return `${Math.round(h / 24)} d ago`;
}

/** GitHub's timestamps have whole seconds: so do durations computed from them. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 1) return "<1 s";
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
}

export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Attribute values: escaped, and URLs limited to http(s) (no javascript: from a repository's data). */
function attr(s: string): string {
  if (/^\s*[a-z][a-z0-9+.-]*:/i.test(s) && !/^\s*https?:/i.test(s)) return "#";
  return esc(s);
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

const CSS = `
:root{--fg:#1f2328;--muted:#656d76;--bg:#f6f8fa;--card:#fff;--line:#d0d7de;
--green:#1a7f37;--green-bg:#dafbe1;--red:#cf222e;--red-bg:#ffebe9;--amber:#9a6700;--amber-bg:#fff8c5;--grey:#57606a;--grey-bg:#eaeef2;--link:#0969da}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#8d96a0;--bg:#0d1117;--card:#161b22;--line:#30363d;
--green:#3fb950;--green-bg:#12261e;--red:#f85149;--red-bg:#2d1214;--amber:#d29922;--amber-bg:#2b2111;--grey:#8d96a0;--grey-bg:#21262d;--link:#4493f8}}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:12px;padding:18px 28px;background:var(--card);border-bottom:1px solid var(--line)}
h1{margin:0;font-size:20px;font-weight:600}.logo{color:var(--link)}.sub{color:var(--muted);font-weight:400}
.chips{display:flex;gap:8px;flex-wrap:wrap}
.chip{padding:3px 10px;border-radius:999px;font-size:13px;border:1px solid transparent}
main{padding:20px 28px}
table{width:100%;border-collapse:separate;border-spacing:0;background:var(--card);border:1px solid var(--line);border-radius:8px;overflow:hidden}
th,td{text-align:left;vertical-align:top;padding:12px 14px;border-bottom:1px solid var(--line)}
thead th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);background:var(--bg);font-weight:600}
tbody tr:last-child>*{border-bottom:0}
tr.env{border-left:4px solid transparent}
tr.env>th{border-left:4px solid var(--grey-bg);font-weight:400}
tr.env--healthy>th{border-left-color:var(--green)}tr.env--failed>th{border-left-color:var(--red)}tr.env--deploying>th{border-left-color:var(--amber)}
tr.env--failed{background:color-mix(in srgb,var(--red-bg) 35%,transparent)}
a{color:var(--link);text-decoration:none}a:hover{text-decoration:underline}
.repo{font-weight:600}.envname{font-size:15px;font-weight:600;margin:2px 0}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.sha code{font-size:13px}.pr{margin-left:4px}
.muted{color:var(--muted);font-size:12px}
.badge{display:inline-block;padding:2px 10px;border-radius:999px;font-weight:600;font-size:13px;white-space:nowrap;max-width:100%;overflow:hidden;text-overflow:ellipsis}
.green{color:var(--green);background:var(--green-bg)}.red{color:var(--red);background:var(--red-bg)}.amber{color:var(--amber);background:var(--amber-bg)}.grey{color:var(--grey);background:var(--grey-bg)}
.detail{margin-top:4px;font-size:12px;color:var(--fg);max-width:34ch;overflow-wrap:anywhere}
.deploys,.links{list-style:none;margin:0;padding:0}.deploys li{white-space:nowrap;line-height:1.7}
.dot{display:inline-block;width:8px;height:8px;border-radius:50%;margin-right:6px;vertical-align:middle}
.dot.green{background:var(--green)}.dot.red{background:var(--red)}.dot.amber{background:var(--amber)}.dot.grey{background:var(--grey)}
.outcome{background:none;font-size:12px;font-weight:600}
.more{font-size:12px}
.links li{margin-bottom:4px}.links .revert a{color:var(--red)}.links .drift a{color:var(--amber)}
.warn{margin-top:6px;color:var(--amber);font-size:12px}
.stale{margin:16px 28px 0;padding:8px 12px;border-radius:6px;background:var(--amber-bg);color:var(--amber)}
.problems{margin-top:20px}.problems h2{font-size:14px}
.empty{color:var(--muted)}
footer{padding:0 28px 24px;color:var(--muted);font-size:12px}
@media (max-width:900px){thead{display:none}table,tbody,tr,th,td{display:block;width:100%}tr.env{border-bottom:1px solid var(--line)}th,td{border-bottom:0;padding:6px 14px}}
`;

/** For the Content-Security-Policy: the one inline style block, by hash (no 'unsafe-inline'). */
export const STYLE_HASH = `'sha256-${createHash("sha256").update(CSS).digest("base64")}'`;
