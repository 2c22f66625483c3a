// CRC32C (Castagnoli), the checksum Cloud Storage keeps per object, through @node-rs/crc32 (the CPU's CRC
// instructions). Its prebuilt binary is required: an agent where it does not load fails at start-up, loudly, rather
// than hashing every backup several times slower.

import { crc32c } from '@node-rs/crc32';

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
