// The hashes a client claims for an object's bytes, read from its request and checked against the bytes.
import { badRequest } from './json-errors.js';

/** Base64 digests, as the JSON API's `crc32c` and `md5Hash` fields carry them. */
export interface Hashes {
  crc32c: string;
  md5Hash: string;
}

/** Reads an `x-goog-hash` header (`crc32c=…,md5=…`, possibly repeated) into the hashes it names. */
export function parseGoogHash(header: string | string[] | undefined): Partial<Hashes> {
  const claimed: Partial<Hashes> = {};
  const parts = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',');
  for (const part of parts) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const key = part.slice(0, at).trim().toLowerCase();
    const value = part.slice(at + 1).trim();
    if (key === 'crc32c') claimed.crc32c = value;
    if (key === 'md5') claimed.md5Hash = value;
  }
  return claimed;
}

/** Throws the service's 400 when a claimed hash differs from the bytes that arrived. */
export function verifyClaimedHashes(claimed: Partial<Hashes>, actual: Hashes): void {
  if (claimed.crc32c !== undefined && claimed.crc32c !== actual.crc32c) {
    throw badRequest(
      `Provided CRC32C "${claimed.crc32c}" doesn't match calculated CRC32C "${actual.crc32c}".`,
    );
  }
  if (claimed.md5Hash !== undefined && claimed.md5Hash !== actual.md5Hash) {
    throw badRequest(
      `Provided MD5 hash "${claimed.md5Hash}" doesn't match calculated MD5 hash "${actual.md5Hash}".`,
    );
  }
}
