// Packs object blocks into bodies of at most maxChars characters, splitting
// only between blocks so every fence and <details> closes in the body that
// opened it. A block is cut (diff truncated) only when it is the first in its
// body and still does not fit: moving it on would not help.
import type { Plan } from "../diff/plan.js";
import { fitBlock, renderBlock, type TruncationNote } from "./block.js";
import { envName } from "./summary.js";

export interface PackOptions {
  maxChars: number;
  maxBodies: number;
  /** Characters already in the first body (its head). */
  firstUsed: number;
  /** Characters kept for the "continued" header of every later body. */
  continuedUsed: number;
  /** Characters kept free in every body for what is appended last (pointer, footer). */
  reserve: number;
  note: TruncationNote;
}

export interface Packed {
  /** Per body, its parts (headings and blocks), to be joined with "\n\n". */
  bodies: string[][];
  /** Changed objects that did not fit in maxBodies bodies. */
  notShown: number;
}

interface Body {
  parts: string[];
  used: number;
  plan?: number; // index of the environment whose heading this body last printed
  blocks: number;
}

// Below this, a head, a one-line object and the footer may not fit together.
export const MIN_CHARS = 4000;

const SEPARATOR = 2; // "\n\n" between parts

export function packBlocks(plans: Plan[], opts: PackOptions): Packed {
  const bodies: Body[] = [{ parts: [], used: opts.firstUsed, blocks: 0 }];
  let notShown = 0;
  let full = false;

  plans.forEach((plan, index) => {
    let started = false; // the environment already has blocks in an earlier body
    for (const change of plan.changes) {
      if (change.action === "unchanged") continue;
      if (full) {
        notShown++;
        continue;
      }
      const block = renderBlock(change);
      const place = (body: Body): boolean => {
        const heading = body.plan === index ? undefined : `#### ${envName(plan)}${started ? " (continued)" : ""}`;
        const room = opts.maxChars - opts.reserve - body.used - SEPARATOR - (heading ? heading.length + SEPARATOR : 0);
        const text = block.length <= room ? block : body.blocks === 0 ? fitBlock(change, room, opts.note) : undefined;
        if (text === undefined) return false;
        for (const part of heading ? [heading, text] : [text]) {
          body.parts.push(part);
          body.used += SEPARATOR + part.length;
        }
        body.plan = index;
        body.blocks++;
        started = true;
        return true;
      };
      if (place(bodies[bodies.length - 1])) continue;
      if (bodies.length >= opts.maxBodies) {
        full = true; // keep the order: everything from here on is "not shown"
        notShown++;
        continue;
      }
      const fresh: Body = { parts: [], used: opts.continuedUsed, blocks: 0 };
      bodies.push(fresh);
      // A fresh body holds at least the one-line form above the minimum size; count it if not.
      if (!place(fresh)) notShown++;
    }
  });
  return { bodies: bodies.map((b) => b.parts), notShown };
}
