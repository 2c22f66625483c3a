// The crc32c and md5 of an upload's bytes, kept up to date as the bytes are stored instead of read back later.
import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
// The client library's CRC32C is a byte-at-a-time table in JavaScript (about 7 CPU seconds per GiB here);
// @node-rs/crc32 uses the CPU's CRC32C instruction (0.2 s per GiB), which keeps the emulator off the critical path.
import { crc32c } from '@node-rs/crc32';
import type { Hashes } from './hashes.js';

interface Checkpoint {
  length: number;
  crc: number;
  md5: Hash;
}

/**
 * Hashes bytes in the order they are stored. An md5 cannot be wound back, so the hash keeps two copies of its
 * state: where the current append started, and at the last multiple of `unit` bytes, the two lengths a broken
 * or refused chunk is cut back to. Any other cut makes `rewind` fail and the caller hash the stored bytes anew.
 */
export class RunningHash {
  private crc = 0;
  private md5 = createHash('md5');
  private length = 0;
  private start: Checkpoint;
  private lastUnit: Checkpoint;

  /** `unit`: the size cuts are made in; the default keeps no unit checkpoint, for bytes stored in one go. */
  constructor(private readonly unit = Number.POSITIVE_INFINITY) {
    this.start = this.checkpoint();
    this.lastUnit = this.start;
  }

  /** A hash of `bytes` read whole, for stored bytes whose running hash was lost (an emulator restart). */
  static async of(bytes: Readable, unit: number): Promise<RunningHash> {
    const hash = new RunningHash(unit);
    for await (const chunk of bytes) hash.update(chunk as Buffer);
    return hash;
  }

  get size(): number {
    return this.length;
  }

  /** Remembers where an append starts, so a refused chunk can be taken back whole. */
  markStart(): void {
    this.start = this.checkpoint();
  }

  update(bytes: Buffer): void {
    // Only the last unit boundary inside `bytes` matters: cuts go back to the last whole unit stored.
    const end = this.length + bytes.length;
    const boundary = end - (end % this.unit);
    if (boundary > this.length) {
      const before = boundary - this.length;
      this.add(bytes.subarray(0, before));
      this.lastUnit = this.checkpoint();
      this.add(bytes.subarray(before));
    } else {
      this.add(bytes);
    }
  }

  /** Goes back to `length` bytes if a checkpoint is there; false when the bytes must be hashed again. */
  rewind(length: number): boolean {
    if (length === this.length) return true;
    const found = [this.lastUnit, this.start].find((checkpoint) => checkpoint.length === length);
    if (!found) return false;
    this.crc = found.crc;
    this.md5 = found.md5.copy();
    this.length = found.length;
    return true;
  }

  /** The hashes of every byte so far, leaving the running state untouched. */
  digest(): Hashes & { size: number } {
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(this.crc);
    return { crc32c: crc.toString('base64'), md5Hash: this.md5.copy().digest('base64'), size: this.length };
  }

  private add(bytes: Buffer): void {
    this.crc = crc32c(bytes, this.crc);
    this.md5.update(bytes);
    this.length += bytes.length;
  }

  private checkpoint(): Checkpoint {
    return { length: this.length, crc: this.crc, md5: this.md5.copy() };
  }
}

/** Passes `body` on, adding each chunk to `hash` once the consumer has stored it and asks for the next. */
export async function* hashedAsStored(
  body: AsyncIterable<unknown>,
  hash: RunningHash,
): AsyncGenerator<Buffer> {
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    yield buffer;
    hash.update(buffer);
  }
}
