// A dump is complete only when it says so (DESIGN 15): besides every exit code, each engine names the mark its dump
// tool writes at the very end, and the check reads only the dump's last bytes as pv shows them — never the dump
// itself, which passes from tool to tool without entering the agent.

import type { ErrorCode } from '../../core/errors.js';

/**
 * How many of the dump's last bytes pv shows: its most. pv shows every byte that is not printable ASCII as '.', so
 * a newline reads as '.', and a dump shorter than this starts with dots.
 */
export const DUMP_TAIL_BYTES = 256;

/** The check of one dump. */
export interface MarkCheck {
  /** The code of a dump this check finds incomplete; DUMP_INCOMPLETE unless the check names its own. */
  code?: ErrorCode;
  /**
   * Why the dump is incomplete, from its first bytes (dump-head.ts), as words that follow "<tool> exited 0 but";
   * undefined when they are whole. The chain reads the head only for a check that has this (or a caller that asks).
   */
  head?(head: Buffer): string | undefined;
  /** Each line the dump tool writes to stderr, for a mark that is partly the tool's own account (mongodump). */
  stderrLine?(line: string): void;
  /**
   * Why the dump is incomplete, from its last bytes as pv shows them (or as they are, one latin1 char a byte, for a
   * raw tail) and the count of its bytes, as words that follow "<tool> exited 0 but"; undefined when it ends with its
   * mark.
   */
  verdict(tail: string, bytes: number): string | undefined;
}

export interface DumpMark {
  /** A fresh check for one dump. */
  check(): MarkCheck;
}

/**
 * A mark that is the dump's last text: `pattern` must match at the end of the tail. `known` names endings that say
 * why, e.g. sqlite3's ROLLBACK after an error it did not report in its exit code. What a dump ends with otherwise is
 * never quoted: its last rows are the database's data, which has no place in logs and alerts.
 */
export function finalText(
  mark: string,
  pattern: RegExp,
  known: readonly [RegExp, (found: RegExpExecArray) => string][] = [],
): DumpMark {
  const check: MarkCheck = {
    verdict(tail) {
      if (pattern.test(tail)) return undefined;
      for (const [ending, reason] of known) {
        const found = ending.exec(tail);
        if (found) return reason(found);
      }
      return `its dump does not end with ${mark}`;
    },
  };
  return { check: () => check };
}
