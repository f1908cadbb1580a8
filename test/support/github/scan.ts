import type { State } from "./state.js";

// Everything the app could have written into GitHub, as one string, so a test
// can assert a secret canary appears nowhere (comments, issue/PR text, check
// output and annotations, deployment payloads and statuses, commit messages,
// labels, ref names — and optionally file contents).

export function allText(s: State, opts: { blobs?: boolean } = {}): string {
  const out: string[] = [];
  const push = (...xs: unknown[]) => { for (const x of xs) if (x !== null && x !== undefined && x !== "") out.push(typeof x === "string" ? x : JSON.stringify(x)); };
  for (const c of s.comments.values()) push(c.body);
  for (const r of s.repos.values()) {
    for (const i of r.issues.values()) push(i.title, i.body);
    for (const l of r.labels.values()) push(l.name, l.description);
    for (const ref of r.refs.keys()) push(ref);
    for (const c of r.objects.commits()) push(c.message, c.author.name, c.author.email);
    if (opts.blobs) for (const b of r.objects.blobs()) push(b.toString("utf8"));
    for (const extras of r.tarExtras.values()) for (const x of extras) push(x.path, x.target, x.content);
  }
  for (const rv of s.reviews) push(rv.body);
  for (const c of s.checkRuns.values()) {
    push(c.name, c.externalId, c.detailsUrl, c.output.title, c.output.summary, c.output.text);
    for (const a of c.annotations) push(a.path, a.title, a.message, a.raw_details);
  }
  for (const d of s.deployments.values()) {
    push(d.payload, d.description, d.environment, d.ref);
    for (const st of d.statuses) push(st.description, st.logUrl, st.environmentUrl);
  }
  return out.join("\n");
}
