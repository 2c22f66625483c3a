// A dump is data for the restore tool, never commands to it: a line that opens with one of the tool's own client
// commands — each engine's rule says which (sqlite3's dot-commands, psql's meta-commands outside COPY data, the mysql
// client's `\x` and `system`) — is refused (RESTORE_REFUSED) before a byte of it reaches the tool, or dropped where
// the rule says so (pg_dump's own `\restrict` lines). Only the opening of each line is held back, never a row, so
// memory stays constant whatever the dump. The rules read line starts as each dump tool writes them; the tools' safe
// modes (sqlite3 -safe, mariadb --sandbox --binary-mode, psql restricted) hold against a command in mid-line or
// behind a long run of blanks.
import { Transform, type TransformCallback } from 'node:stream';
import { BackupError } from '../../core/errors.js';

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

/** The first byte that is not a blank (space, tab, CR, VT, FF); undefined when there is none. */
export function firstByte(opening: Buffer): number | undefined {
  for (const byte of opening) if (byte !== 0x20 && (byte < 0x09 || byte > 0x0d)) return byte;
  return undefined;
}

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
