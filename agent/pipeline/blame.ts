// Which failure a backup reports when several things fail: of the tools in the chain, the failed one furthest
// downstream that did not merely die of another's failure; a failure that is no tool's stands as it came.
import type { ErrorCode } from '../../core/errors.js';

export interface Failure {
  code: ErrorCode;
  message: string;
  /**
   * Set for a tool's failure: its place in the chain, counted from the dump tool (0), and whether it only shows
   * another's failure — SIGPIPE, a pipe the agent saw break, a stream error that its exit code explains better, a
   * tool the agent stopped because something else failed.
   */
  tool?: { at: number; symptom: boolean };
}

/** A failure in its own right outranks any symptom; among either, the tool further downstream outranks. */
function rank(tool: { at: number; symptom: boolean }): number {
  return (tool.symptom ? 0 : 1_000) + tool.at;
}

/**
 * The cause to report once `next` is heard of, `current` being the cause so far. A tool whose reader dies is broken
 * by it, so a tool further downstream is the cause of what failed upstream of it. Node hears of exits in no
 * particular order, so the cause does not depend on which came first. A failure that is no tool's (storage, a stop
 * request) comes first by nature — it stops the tools — and is never displaced, nor displaces one.
 */
export function blame(current: Failure | undefined, next: Failure): Failure {
  if (!current) return next;
  if (!current.tool || !next.tool) return current;
  // Ties are one tool heard of twice (a stream's error, then its exit): the later word on it is kept.
  return rank(next.tool) >= rank(current.tool) ? next : current;
}
