// Counting and hashing bytes as Cloud Storage does — crc32c and md5 in base64 — and sha256 in hex: what the agent
// records of a backup it uploads or a restore it reads, and what the function's deep check reads back. CRC32C goes
// through @node-rs/crc32 (the CPU's CRC instructions); its prebuilt binary is required, so a process where it does
// not load fails at start-up, loudly, rather than hashing every byte several times slower.
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { crc32c } from '@node-rs/crc32';

/** The hashes Cloud Storage keeps of an object, in its encodings: crc32c (big-endian) and md5, both base64. */
export interface ObjectHashes {
  crc32c: string;
  md5: string;
}

/** What was counted and hashed of a whole stream: its size, Cloud Storage's hashes, and sha256 in hex. */
export interface Digests extends ObjectHashes {
  bytes: number;
  sha256: string;
}

export class Crc32c {
  private crc = 0;

  update(data: Uint8Array): void {
    this.crc = crc32c(data, this.crc);
  }

  /** Big-endian base64, as in an object's `crc32c` metadata. */
  toString(): string {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(this.crc >>> 0);
    return out.toString('base64');
  }
}

export class StorageHashes {
  private readonly crc32c = new Crc32c();
  private readonly md5 = createHash('md5');

  update(chunk: Buffer): void {
    this.crc32c.update(chunk);
    this.md5.update(chunk);
  }

  /** Only once every byte is in: the digests consume the hash state. */
  digests(): ObjectHashes {
    return { crc32c: this.crc32c.toString(), md5: this.md5.digest('base64') };
  }
}

/** Passes its bytes on unchanged, counting and hashing them. */
export class HashingStream extends Transform {
  private readonly storage = new StorageHashes();
  private readonly sha256 = createHash('sha256');
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.storage.update(chunk);
    this.sha256.update(chunk);
    callback(null, chunk);
  }

  /** Only once the stream has ended: the digests consume the hash state. */
  digests(): Digests {
    return { bytes: this.bytes, ...this.storage.digests(), sha256: this.sha256.digest('hex') };
  }
}
