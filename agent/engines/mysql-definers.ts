// mysqldump writes each view, trigger, routine and event with the DEFINER it had, e.g. DEFINER=`root`@`localhost`;
// creating one for another account needs SET USER (or SUPER), which would let the restore user act as anyone. The
// restore user becomes the definer instead: the clause is rewritten to DEFINER=CURRENT_USER in the openings of the
// lines that can carry one, and every other byte passes unchanged, in the chunks it came in (rows are never held).
import { Transform, type TransformCallback } from 'node:stream';

const NEWLINE = 0x0a;
/** `CREATE DEFINER=…` and mysqldump's versioned comments `/*!50013 DEFINER=…` start with these. */
const C = 0x43;
const SLASH = 0x2f;
/** A definer clause sits near the start of its line: after at most `/*!50003 CREATE*\/ /*!50017 `. */
const HEAD_LIMIT = 1024;
const DEFINER = /DEFINER=`(?:[^`]|``)*`(?:@`(?:[^`]|``)*`)?/g;
const DDL_LINE = /^(?:CREATE |\/\*!\d{5} )/;

/** The opening of a line, its definer rewritten if it is a statement that can carry one. */
function rewrite(head: Buffer): Buffer {
  // latin1 maps bytes to characters one to one, so a head cut inside a UTF-8 character comes back unchanged.
  const text = head.toString('latin1');
  return DDL_LINE.test(text) ? Buffer.from(text.replace(DEFINER, 'DEFINER=CURRENT_USER'), 'latin1') : head;
}

export class DefinerFilter extends Transform {
  /** The opening of a line that may carry a definer, cut off by the end of the last chunk. */
  private carry: Buffer | undefined;
  private atLineStart = true;

  override _transform(input: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const chunk = this.carry ? Buffer.concat([this.carry, input]) : input;
    this.carry = undefined;
    let passed = 0;
    let at = 0;
    while (at < chunk.length) {
      if (!this.atLineStart || (chunk[at] !== C && chunk[at] !== SLASH)) {
        const newline = chunk.indexOf(NEWLINE, at);
        this.atLineStart = newline !== -1;
        at = newline === -1 ? chunk.length : newline + 1;
        continue;
      }
      const newline = chunk.indexOf(NEWLINE, at);
      const end = newline === -1 ? chunk.length : newline + 1;
      if (end - at < HEAD_LIMIT && newline === -1) {
        // Its opening goes on in the next chunk: keep it until then.
        if (at > passed) this.push(chunk.subarray(passed, at));
        this.carry = chunk.subarray(at);
        callback();
        return;
      }
      const headEnd = Math.min(end, at + HEAD_LIMIT);
      if (at > passed) this.push(chunk.subarray(passed, at));
      this.push(rewrite(chunk.subarray(at, headEnd)));
      passed = headEnd;
      this.atLineStart = headEnd === end && newline !== -1;
      at = headEnd;
    }
    if (passed < chunk.length) this.push(chunk.subarray(passed));
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.carry) this.push(rewrite(this.carry));
    callback();
  }
}
