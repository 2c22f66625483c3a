// The valve between a restore's download and its decompressor, which lets the download be read to its end after
// what is downstream of it failed.
import { Writable } from 'node:stream';

/**
 * Forwards into `target` until shut; from then on drops what comes, so the download can still be read to its end
 * (and its hashes learnt) after the decompressor or the restore tool failed.
 */
export class Valve extends Writable {
  private open = true;
  private waiting: (() => void) | undefined;

  constructor(private readonly target: Writable) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!this.open || this.target.write(chunk)) {
      callback();
      return;
    }
    this.waiting = () => callback();
    this.target.once('drain', () => this.release());
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.open) this.target.end();
    callback();
  }

  shut(): void {
    this.open = false;
    this.release();
  }

  private release(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }
}
