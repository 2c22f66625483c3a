// mysqldump writes each view, trigger, routine and event with the DEFINER it had, e.g. DEFINER=`root`@`localhost`;
// creating one for another account needs SET USER (or SUPER), which would let the restore user act as anyone. The
// restore user becomes the definer instead: the clause is rewritten to DEFINER=CURRENT_USER in statement openings,
// and every other byte of the dump passes unchanged (rows, even within a line, are never held or rewritten).
import { Transform, type TransformCallback } from 'node:stream';

const NEWLINE = 0x0a;
/** A definer clause sits near the start of its line: after at most `/*!50003 CREATE*\/ /*!50017 `. */
const HEAD_LIMIT = 1024;
const DEFINER = /DEFINER=`(?:[^`]|``)*`(?:@`(?:[^`]|``)*`)?/g;
/** Lines that can carry one: `CREATE DEFINER=…` and mysqldump's versioned comments `/*!50013 DEFINER=…`. */
const DDL_LINE = /^(?:CREATE |\/\*!\d{5} )/;

export class DefinerFilter extends Transform {
  private head: Buffer[] = [];
  private headBytes = 0;
  /** The rest of a line whose opening was already passed on. */
  private passing = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let at = 0;
    while (at < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, at);
      if (this.passing) {
        const end = newline === -1 ? chunk.length : newline + 1;
        this.push(chunk.subarray(at, end));
        this.passing = newline === -1;
        at = end;
        continue;
      }
      const lineEnd = newline === -1 ? chunk.length : newline + 1;
      const end = Math.min(lineEnd, at + HEAD_LIMIT - this.headBytes);
      this.head.push(chunk.subarray(at, end));
      this.headBytes += end - at;
      at = end;
      const complete = newline !== -1 && end === newline + 1;
      if (complete || this.headBytes >= HEAD_LIMIT) {
        this.flushHead();
        this.passing = !complete;
      }
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.flushHead();
    callback();
  }

  private flushHead(): void {
    if (this.headBytes === 0) return;
    const head = Buffer.concat(this.head);
    this.head = [];
    this.headBytes = 0;
    // latin1 maps bytes to characters one to one, so a head cut inside a UTF-8 character comes back unchanged.
    const text = head.toString('latin1');
    this.push(
      DDL_LINE.test(text) ? Buffer.from(text.replace(DEFINER, 'DEFINER=CURRENT_USER'), 'latin1') : head,
    );
  }
}
