// The deep check: every byte of one stored generation read back through the storage client and hashed, and its
// size, CRC32C and MD5 compared with those Cloud Storage recorded when it was written, and its SHA-256 with the
// agent's (recorded in its metadata when it was checked). The result is recorded on the object, so list, status
// and restore know a backup whose bytes are wrong. Metadata checks cannot see that; only reading the bytes can.
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Bucket } from '@google-cloud/storage';
import { BackupError } from '../../core/errors.js';
import { HashingStream } from '../../core/hashes.js';
import { DEEP_CHECK_FAILED_KEY, DEEP_CHECKED_KEY } from '../object/good-backup.js';
import type { ObjectInfo } from '../storage/objects.js';
import { updateObject } from '../storage/update-object.js';

export interface DeepCheck {
  checkedAt: string;
  /** Bytes read. */
  bytes: number;
  passed: boolean;
  /** What differed, when it did not pass. */
  mismatch?: string;
}

/** Reads every byte of the generation `info` names: what it counted and hashed. */
async function readBack(bucket: Bucket, info: ObjectInfo) {
  const hashing = new HashingStream();
  // The client's own validation is off: the comparison below says what differs instead of one generic error.
  const source = bucket
    .file(info.name, { generation: Number(info.generation) })
    .createReadStream({ validation: false });
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  try {
    await pipeline(source, hashing, discard);
  } catch (error) {
    throw new BackupError(
      'DOWNLOAD_FAILED',
      `the deep check could not read ${info.name} (generation ${info.generation}) to its end: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return hashing.digests();
}

/** What differs between the bytes read and what was recorded of them; null when nothing does. */
function mismatchOf(info: ObjectInfo, read: Awaited<ReturnType<typeof readBack>>): string | null {
  if (read.bytes !== info.size) return `${read.bytes} bytes were read, the object has ${info.size}`;
  if (read.crc32c !== info.crc32c) return `the bytes' crc32c is ${read.crc32c}, recorded ${info.crc32c}`;
  if (read.md5 !== info.md5Hash) return `the bytes' md5 is ${read.md5}, recorded ${info.md5Hash}`;
  const sha256 = info.metadata.sha256;
  if (sha256 && read.sha256 !== sha256) return `the bytes' sha256 is ${read.sha256}, the agent's ${sha256}`;
  return null;
}

/**
 * Reads `info` whole and records the verdict on it (a pass clears an earlier failure: the same generation read
 * right is right). Throws DOWNLOAD_FAILED, recording nothing, when the object cannot be read to its end.
 */
export async function deepCheck(bucket: Bucket, info: ObjectInfo, now: Date): Promise<DeepCheck> {
  const read = await readBack(bucket, info);
  const mismatch = mismatchOf(info, read);
  const checkedAt = now.toISOString();
  await updateObject(bucket, info, {
    metadata: { [DEEP_CHECKED_KEY]: checkedAt, [DEEP_CHECK_FAILED_KEY]: mismatch },
  });
  return { checkedAt, bytes: read.bytes, passed: mismatch === null, ...(mismatch && { mismatch }) };
}
