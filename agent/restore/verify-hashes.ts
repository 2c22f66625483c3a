// Counts and hashes a backup's bytes as they are read, as Cloud Storage hashes them, and says at the end whether they
// are the object's: the `verdict` the restore waits for before it lets the restore tool commit anything.
import { Transform, type TransformCallback } from 'node:stream';
import { BackupError } from '../../core/errors.js';
import { type ObjectHashes, StorageHashes } from '../../core/hashes.js';

/** The object as Cloud Storage keeps it: its size and its hashes. */
export interface ExpectedObject extends ObjectHashes {
  size: number;
}

export class VerifyingStream extends Transform {
  private readonly hashes = new StorageHashes();
  bytes = 0;
  /** Resolves once every byte was read and matched; rejects with HASH_MISMATCH, or with why reading stopped. */
  readonly verdict: Promise<void>;
  private settle!: { resolve: () => void; reject: (error: Error) => void };
  private settled = false;

  constructor(private readonly expected: ExpectedObject) {
    super();
    this.verdict = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // Read by whoever waits for it; an early end must not become an unhandled rejection.
    this.verdict.catch(() => {});
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.expected.size) {
      callback(this.reject(`more than the ${this.expected.size} bytes of the backup were read`));
      return;
    }
    this.hashes.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const { crc32c, md5 } = this.hashes.digests();
    const { size, crc32c: wantedCrc, md5: wantedMd5 } = this.expected;
    if (this.bytes !== size || crc32c !== wantedCrc || md5 !== wantedMd5) {
      callback(
        this.reject(
          `read ${this.bytes} bytes with crc32c ${crc32c} and md5 ${md5}; the backup is ${size} bytes with crc32c ${wantedCrc} and md5 ${wantedMd5}`,
        ),
      );
      return;
    }
    this.settled = true;
    this.settle.resolve();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.settled) {
      this.settled = true;
      this.settle.reject(error ?? new BackupError('DOWNLOAD_FAILED', 'the download stopped before its end'));
    }
    callback(error);
  }

  private reject(message: string): BackupError {
    const error = new BackupError('HASH_MISMATCH', `the bytes read are not the backup's: ${message}`);
    this.settled = true;
    this.settle.reject(error);
    return error;
  }
}
