// A dump is data for the restore tool, never commands to it: a line that opens with one of the tool's own client
// commands — sqlite3's dot-commands, psql's backslash meta-commands outside COPY data, the mysql client's `\x` and
// `system` — is refused (RESTORE_REFUSED) before a byte of it reaches the tool. pg_dump's own `\restrict` and
// `\unrestrict` lines are dropped instead: psql already runs restricted under the agent's own key. Only the opening
// of each line is held back, never a row, so memory stays constant whatever the dump. This reads line starts as
// each tool's dump tool writes them; the tools' safe modes (sqlite3 -safe, mariadb --sandbox --binary-mode, psql
// restricted) are what holds against a command in mid-line or behind a long run of blanks.
import { Transform, type TransformCallback } from 'node:stream';
import { BackupError } from '../../../core/errors.js';
import type { EngineName } from '../../../core/formats.js';

const NEWLINE = 0x0a;
/** Enough of a line to tell what opens it, blanks before it included. */
const OPENING = 256;

/** What becomes of a line: passed on, dropped whole, or the whole restore refused (saying why). */
export type LineVerdict = 'pass' | 'drop' | { refuse: string };

/**
 * Judges each line of a dump by its opening: at most OPENING bytes, `whole` when that is the whole line. Called for
 * every line of the dump, so the common case is decided on a byte or two before any text is made.
 */
export interface CommandRule {
  judge(opening: Buffer, whole: boolean): LineVerdict;
}

const BACKSLASH = 0x5c;
const DOT = 0x2e;

/** The first byte that is not a blank (space, tab, CR, VT, FF); undefined when there is none. */
function firstByte(opening: Buffer): number | undefined {
  for (const byte of opening) if (byte !== 0x20 && (byte < 0x09 || byte > 0x0d)) return byte;
  return undefined;
}

/** sqlite3 runs a line as a dot-command when it starts with `.` (blanks before it make it SQL). */
function sqliteRule(): CommandRule {
  return { judge: (opening) => (opening[0] === DOT ? { refuse: 'a sqlite3 dot-command' } : 'pass') };
}

const COPY = Buffer.from('COPY ');
const RESTRICT = /^\s*\\(?:un)?restrict(?:\s|$)/;

/**
 * psql: backslash lines outside COPY data. pg_dump's only COPY is `COPY <name> (…) FROM stdin;` at a line's start,
 * its data ending at a line `\.`; inside it a line may start `\N` (a NULL) or `\\`, which is data.
 */
function postgresRule(): CommandRule {
  let copying = false;
  return {
    judge(opening, whole) {
      if (copying) {
        if (whole && opening[0] === BACKSLASH && opening[1] === DOT && opening.length === 2) copying = false;
        return 'pass';
      }
      if (opening.subarray(0, COPY.length).equals(COPY)) {
        copying = true;
        return 'pass';
      }
      if (firstByte(opening) !== BACKSLASH) return 'pass';
      if (RESTRICT.test(opening.toString('latin1'))) return 'drop';
      return { refuse: 'a psql meta-command' };
    },
  };
}

const SYSTEM = /^\s*system(?:\s|;|$)/i;

/** The mysql client: `\x` commands, and `system` (its shell), at a line's start. */
function mysqlRule(): CommandRule {
  return {
    judge(opening) {
      const first = firstByte(opening);
      const command =
        first === BACKSLASH ||
        ((first === 0x73 || first === 0x53) && SYSTEM.test(opening.toString('latin1')));
      return command ? { refuse: 'a mysql client command' } : 'pass';
    },
  };
}

/** Each engine's rule, made fresh per restore (psql's keeps whether it is in COPY data). */
export const COMMAND_RULES: Record<Exclude<EngineName, 'mongodb'>, () => CommandRule> = {
  sqlite: sqliteRule,
  postgres: postgresRule,
  mysql: mysqlRule,
};

export class ClientCommandFilter extends Transform {
  /** The opening of a line cut off by the end of the last chunk. */
  private carry: Buffer | undefined;
  /** What happens to the rest of the current line once its opening was judged; `judge` at a line's start. */
  private rest: 'judge' | 'pass' | 'drop' = 'judge';
  private line = 1;

  constructor(private readonly rule: CommandRule) {
    super();
  }

  override _transform(input: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const chunk = this.carry ? Buffer.concat([this.carry, input]) : input;
    this.carry = undefined;
    /** Where the bytes to pass that are not yet pushed begin: lines passed together go on as one piece. */
    let from = 0;
    let at = 0;
    while (at < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, at);
      const end = newline === -1 ? chunk.length : newline;
      if (this.rest === 'judge') {
        if (newline === -1 && end - at < OPENING) {
          // The opening goes on in the next chunk: keep it until then.
          this.carry = chunk.subarray(at);
          break;
        }
        const whole = newline !== -1 && end - at <= OPENING;
        const refused = this.judge(chunk.subarray(at, Math.min(end, at + OPENING)), whole);
        if (refused) {
          callback(refused);
          return;
        }
      }
      const next = newline === -1 ? chunk.length : newline + 1;
      if (this.rest === 'drop') {
        if (at > from) this.push(chunk.subarray(from, at));
        from = next;
      }
      if (newline !== -1) {
        this.rest = 'judge';
        this.line++;
      }
      at = next;
    }
    if (at > from) this.push(chunk.subarray(from, at));
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.carry) {
      const refused = this.judge(this.carry, true);
      if (refused) {
        callback(refused);
        return;
      }
      if (this.rest === 'pass') this.push(this.carry);
    }
    callback();
  }

  /** Decides the current line from its opening; the refusal, if it is one. */
  private judge(opening: Buffer, whole: boolean): BackupError | undefined {
    const verdict = this.rule.judge(opening, whole);
    if (typeof verdict === 'object') {
      return new BackupError(
        'RESTORE_REFUSED',
        `the dump's line ${this.line} is ${verdict.refuse}, not data: nothing of it reached the restore tool`,
      );
    }
    this.rest = verdict;
    return undefined;
  }
}
