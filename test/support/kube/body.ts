// Request bodies: JSON, or YAML for application/yaml and apply patches, parsed
// once per request (the recorded body and the handled body are the same value).

import { parse as parseYaml, parseDocument } from "yaml";
import { badRequest, type ApiError } from "./status.js";

export function isYaml(contentType: string | undefined): boolean {
  return contentType === "application/yaml" || contentType === "application/apply-patch+yaml";
}

export interface ParsedBody { value?: unknown; error?: ApiError; warnings: string[] }

/** Parses a request body once (recorded and handled from the same value). JSON is tried first: it is YAML too. */
export function parseRequestBody(raw: string, contentType: string | undefined, fieldValidation: string | undefined): ParsedBody {
  if (!raw) return { warnings: [] };
  const first = raw.trimStart()[0];
  if (!isYaml(contentType) || first === "{" || first === "[") {
    try {
      return { value: JSON.parse(raw), warnings: [] };
    } catch (err) {
      if (!isYaml(contentType)) return { error: badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`), warnings: [] };
    }
  }
  const directive = fieldValidation || "Warn";
  const doc = parseDocument(raw, { uniqueKeys: directive !== "Ignore" });
  const dup = doc.errors.find((e) => e.code === "DUPLICATE_KEY");
  const other = doc.errors.find((e) => e.code !== "DUPLICATE_KEY");
  if (other) return { error: badRequest(`error decoding YAML: ${other.message}`), warnings: [] };
  if (dup && directive === "Strict") return { error: badRequest(`error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  ${dup.message}`), warnings: [] };
  // Duplicate keys under Warn: the last one wins, with a warning.
  return dup ? { value: parseYaml(raw, { uniqueKeys: false }), warnings: [dup.message] } : { value: doc.toJS(), warnings: [] };
}

