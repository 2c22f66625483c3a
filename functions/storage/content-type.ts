// The Content-Type of a target's objects, backups and shipped logs alike: what its compression writes, or opaque
// bytes when age encrypts them (age's binary format has no registered type of its own).
import type { Target } from '../config/schema.js';

const COMPRESSED = { gzip: 'application/gzip', zstd: 'application/zstd' } as const;

export function contentTypeOf(target: Pick<Target, 'encryption' | 'compression'>): string {
  return target.encryption === 'required'
    ? 'application/octet-stream'
    : COMPRESSED[target.compression.algorithm];
}
