// Counting and hashing the bytes that pass, as Cloud Storage does: crc32c and md5 in base64, and sha256 in hex.

import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { Crc32c } from './crc32c.js';

/** The hashes Cloud Storage keeps of an object, in its encodings: crc32c and md5 in base64. */
export class StorageHashes {
  private readonly crc32c = new Crc32c();
  private readonly md5 = createHash('md5');

  update(chunk: Buffer): void {
    this.crc32c.update(chunk);
    this.md5.update(chunk);
  }

  /** Only once every byte is in: the digests consume the hash state. */
  digests(): { crc32c: string; md5: string } {
    return { crc32c: this.crc32c.toString(), md5: this.md5.digest('base64') };
  }
}

export interface Digests {
  bytes: number;
  crc32c: string;
  md5: string;
  sha256: string;
}

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
