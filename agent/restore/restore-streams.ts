// Two small streams of the restore's pipeline: the valve between the download and the decompressor, and the tap
// that shows the decompressed dump to its scanner.
import { Transform, type TransformCallback, Writable } from 'node:stream';
import type { DumpScanner } from './inventory/index.js';

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

/** Counts the dump's bytes and shows each chunk to the scanner; a scanner that breaks stops scanning, not the restore. */
export class ScannerTap extends Transform {
  bytes = 0;
  /** Why the scanner stopped, when it did: the validation then cannot trust what it listed. */
  scannerError: Error | undefined;

  constructor(private readonly scanner: DumpScanner) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.scan(() => this.scanner.write(chunk));
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.scan(() => this.scanner.end());
    callback();
  }

  private scan(step: () => void): void {
    if (this.scannerError) return;
    try {
      step();
    } catch (error) {
      this.scannerError = error as Error;
    }
  }
}
