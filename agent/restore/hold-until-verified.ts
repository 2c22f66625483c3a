// The last bytes of the dump, and its end, held back from the restore tool until the download is proven whole and
// unchanged. psql (one transaction) commits only at the end of its input and sqlite's dump ends in COMMIT, so a
// backup whose bytes turn out wrong never commits anything: the restore tool is killed before it reads its end.
import { Transform, type TransformCallback } from 'node:stream';

/** Enough for the closing statements of any dump (sqlite's COMMIT, a trailer of SET statements). */
const HELD_BYTES = 64 * 1024;

export class HoldUntilVerified extends Transform {
  /** Bytes of the dump that reached it so far: the restore tool has them all, or all but those held. */
  bytes = 0;
  private held: Buffer[] = [];
  private heldBytes = 0;

  constructor(
    private readonly verdict: Promise<void>,
    private readonly holdBytes = HELD_BYTES,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    // Pass on whole chunks for as long as what stays behind is still at least holdBytes.
    while (this.held.length > 1 && this.heldBytes - (this.held[0] as Buffer).length >= this.holdBytes) {
      const first = this.held.shift() as Buffer;
      this.heldBytes -= first.length;
      this.push(first);
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.verdict.then(
      () => {
        for (const chunk of this.held) this.push(chunk);
        this.held = [];
        callback();
      },
      (error: Error) => callback(error),
    );
  }
}
