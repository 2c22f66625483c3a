// CRC32C (Castagnoli), the checksum Cloud Storage keeps per object, sliced by 8 bytes: about ten times faster than a
// byte-at-a-time table, so hashing never becomes the slowest step of a backup.

const POLY = 0x82f63b78;
const TABLES = Array.from({ length: 8 }, () => new Int32Array(256));
const [T0, T1, T2, T3, T4, T5, T6, T7] = TABLES as [
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
];
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  T0[n] = c;
}
for (let n = 0; n < 256; n++) {
  for (let t = 1; t < 8; t++) {
    const previous = TABLES[t - 1] as Int32Array;
    (TABLES[t] as Int32Array)[n] =
      ((previous[n] as number) >>> 8) ^ (T0[(previous[n] as number) & 0xff] as number);
  }
}

export class Crc32c {
  private crc = 0;

  update(data: Uint8Array): void {
    let crc = ~this.crc;
    let i = 0;
    const end8 = data.length - (data.length % 8);
    for (; i < end8; i += 8) {
      crc ^=
        (data[i] as number) |
        ((data[i + 1] as number) << 8) |
        ((data[i + 2] as number) << 16) |
        ((data[i + 3] as number) << 24);
      crc =
        (T7[crc & 0xff] as number) ^
        (T6[(crc >>> 8) & 0xff] as number) ^
        (T5[(crc >>> 16) & 0xff] as number) ^
        (T4[crc >>> 24] as number) ^
        (T3[data[i + 4] as number] as number) ^
        (T2[data[i + 5] as number] as number) ^
        (T1[data[i + 6] as number] as number) ^
        (T0[data[i + 7] as number] as number);
    }
    for (; i < data.length; i++) crc = (T0[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
    this.crc = ~crc;
  }

  /** Big-endian base64, as in an object's `crc32c` metadata. */
  toString(): string {
    const out = Buffer.alloc(4);
    out.writeInt32BE(this.crc | 0);
    return out.toString('base64');
  }
}
