import { describe, expect, it } from "vitest";
import { renderJson } from "../../src/report/json.js";
import { renderText } from "../../src/report/text.js";
import { planCase } from "./diff-cases.js";

// Every spelling of the fixture's secret values: raw and base64.
const SECRET_VALUES = /hunter2|hunter3|s3cr3t-t0k3n|aHVudGVyMg|aHVudGVyMw|czNjcjN0LXQwazNu|YWRtaW4/;
const dryRunError = { reason: "DryRunFailed" as const, message: 'admission webhook "policy" denied the request', file: "deploy/prod/web.yaml", line: 12 };

describe("renderText", () => {
  const text = renderText(planCase("image-change", { errors: [dryRunError] }));
  it("puts errors first", () => expect(text.split("\n")[0]).toBe('error: deploy/prod/web.yaml:12: admission webhook "policy" denied the request'));
  it("heads each change", () => expect(text).toContain("\n~ update Deployment shop/web (deploy/image-change.yaml)\n--- live/Deployment/shop/web\n"));
  it("ends with the summary", () => expect(text.trimEnd().split("\n").at(-1)).toBe("production: 1 to update, 1 error"));
  it("counts unchanged in the summary", () => expect(renderText(planCase("unchanged-with-server-noise"))).toBe("production: no changes, 2 unchanged\n"));
  it("lists secret keys, never values", () => expect(renderText(planCase("secret-value-change"))).toMatch(/^ {2}key "password": changed\n {2}key "token": added$/m));
  it("secret-value-change hides values", () => expect(renderText(planCase("secret-value-change"))).not.toMatch(SECRET_VALUES));
  it("shows dangers", () => expect(renderText(planCase("prune-delete"))).toContain("- delete ConfigMap shop/gone\n  ! deletes ConfigMap shop/gone\n"));
  it("notes the client-side fallback", () => expect(renderText(planCase("client-side-fallback", { clientSideFallback: true }))).toMatch(/^note: the server refused dry-run/m));
  it("colours only when asked", () => expect([text.includes("\x1b["), renderText(planCase("image-change"), { color: true }).includes("\x1b[32m+")]).toEqual([false, true]));
});

describe("renderJson", () => {
  const json = JSON.parse(renderJson(planCase("namespace-delete-danger")));
  it("has exactly the documented shape", () => expect(Object.keys(json)).toEqual(["environment", "summary", "changes", "errors", "clientSideFallback"]));
  it("counts unchanged objects without listing them", () => expect([json.summary, json.changes.length]).toEqual([{ create: 0, update: 0, delete: 1, unchanged: 1 }, 1]));
  it("uses null for a cluster-scoped namespace", () => expect(Object.entries(json.changes[0]).filter(([k]) => k !== "diff")).toEqual([["action", "delete"], ["apiVersion", "v1"], ["kind", "Namespace"], ["namespace", null], ["name", "staging"]]));
  it("includes secretKeys when present", () => expect(JSON.parse(renderJson(planCase("secret-value-change"))).changes[0].secretKeys).toEqual([{ key: "password", change: "changed" }, { key: "token", change: "added" }]));
  it("secret-value-change hides values", () => expect(renderJson(planCase("secret-value-change"))).not.toMatch(SECRET_VALUES));
  it("carries errors and the fallback flag", () => expect(JSON.parse(renderJson(planCase("image-change", { errors: [dryRunError], clientSideFallback: true })))).toMatchObject({ errors: [dryRunError], clientSideFallback: true }));
});
