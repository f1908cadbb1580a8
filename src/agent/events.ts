// Domain events, for metrics and notifications: the pipelines say what
// happened once, and observers (Prometheus, outgoing webhooks) subscribe.
import { EventEmitter } from "node:events";
import type { RepoRef } from "../github/types.js";
import type { RevertOutcome } from "../engine/revert.js";

export interface ConvergeEvents {
  webhook: [{ event: string; outcome: "queued" | "duplicate" | "ignored" | "error" }];
  preview: [{ repo: RepoRef; env: string; result: "success" | "failure"; ms: number }];
  deploy: [{ repo: RepoRef; env: string; sha: string; trigger: string; result: "success" | "failure"; reason: string; ms: number; message: string; deploymentUrl?: string }];
  revert: [{ repo: RepoRef; env: string; sha: string; outcome: RevertOutcome }];
  drift: [{ repo: RepoRef; env: string; action: "detected" | "healed" | "resolved"; objects: number; report?: string }];
}

export class ConvergeEmitter extends EventEmitter<ConvergeEvents> {}
