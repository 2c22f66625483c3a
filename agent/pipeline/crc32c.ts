// CRC32C (Castagnoli), the checksum Cloud Storage keeps per object: native through @node-rs/crc32 (the CPU's CRC
// instructions) where its prebuilt binary loads, else the storage library's own byte-at-a-time table — the same
// value, several times slower. The library is imported only then: loading it costs the agent about 40 MiB of RSS.

import { createRequire } from 'node:module';
import type { CRC32C } from '@google-cloud/storage';

type NativeCrc32c = (input: Uint8Array, initialState?: number) => number;

/** The binary is an optional dependency per platform: a machine without one still computes the same checksum. */
function loadNative(): NativeCrc32c | undefined {
  try {
    return (createRequire(import.meta.url)('@node-rs/crc32') as { crc32c: NativeCrc32c }).crc32c;
  } catch {
    return undefined;
  }
}

const native = loadNative();

let Fallback: typeof CRC32C | undefined;

/** Loads the library's implementation: at start where the native one is missing, or for a test comparing both. */
export async function loadJavascriptCrc32c(): Promise<void> {
  Fallback ??= (await import('@google-cloud/storage')).CRC32C;
}

if (!native) await loadJavascriptCrc32c();

export type Crc32cImplementation = 'native' | 'javascript';

/** Which implementation `new Crc32c()` uses on this machine, so a benchmark can say what it measured. */
export const CRC32C_IMPLEMENTATION: Crc32cImplementation = native ? 'native' : 'javascript';

export class Crc32c {
  private crc = 0;
  private readonly fallback?: CRC32C;

  constructor(implementation: Crc32cImplementation = CRC32C_IMPLEMENTATION) {
    if (implementation === 'native' && !native) throw new Error('the native CRC32C did not load');
    if (implementation === 'javascript') {
      if (!Fallback) throw new Error('the JavaScript CRC32C is not loaded (loadJavascriptCrc32c)');
      this.fallback = new Fallback();
    }
  }

  update(data: Uint8Array): void {
    // The library's byte-at-a-time table reads any byte array.
    if (this.fallback) this.fallback.update(data as Buffer);
    else this.crc = (native as NativeCrc32c)(data, this.crc);
  }

  /** Big-endian base64, as in an object's `crc32c` metadata. */
  toString(): string {
    if (this.fallback) return this.fallback.toString();
    const out = Buffer.alloc(4);
    out.writeUInt32BE(this.crc >>> 0);
    return out.toString('base64');
  }
}
