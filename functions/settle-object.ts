// After a job succeeded: check the object against the agent's counts, then record what makes it verified.
import type { Bucket } from '@google-cloud/storage';
import { BackupError } from '../core/errors.js';
import type { JobStatus } from '../core/protocol.js';
import type { Target } from './config/schema.js';
import { annotate, getObject, type ObjectInfo } from './storage/objects.js';

/** The custom metadata key whose presence marks an object as checked; written only after the check passed. */
export const VERIFIED_KEY = 'sha256';
/** The custom metadata key that records why an object failed its check. */
export const CHECK_FAILED_KEY = 'checkFailed';

export function isVerified(info: ObjectInfo): boolean {
  return Boolean(info.metadata[VERIFIED_KEY]);
}

/** Why the object failed its check, or undefined when it has not failed one. */
export function checkFailure(info: ObjectInfo): string | undefined {
  return info.metadata[CHECK_FAILED_KEY];
}

/** What differs between the stored object and what the agent counted; null when they agree. */
export function findMismatch(
  info: Pick<ObjectInfo, 'size' | 'crc32c' | 'md5Hash'>,
  job: JobStatus,
): string | null {
  if (info.size !== job.bytesUploaded) {
    return `the object has ${info.size} bytes, the agent uploaded ${job.bytesUploaded}`;
  }
  if (!job.crc32c) return 'the agent reported no crc32c to check the object against';
  if (info.crc32c !== job.crc32c)
    return `the object's crc32c is ${info.crc32c}, the agent's is ${job.crc32c}`;
  if (job.md5 && info.md5Hash && info.md5Hash !== job.md5) {
    return `the object's md5 is ${info.md5Hash}, the agent's is ${job.md5}`;
  }
  return null;
}

export function verifiedMetadata(job: JobStatus, target: Target, checkedAt: Date): Record<string, string> {
  return {
    [VERIFIED_KEY]: job.sha256 ?? '',
    runId: job.runId,
    jobId: job.jobId,
    targetId: target.id,
    engine: target.engine,
    database: target.database,
    agentHost: new URL(target.agentUrl).host,
    checkedAt: checkedAt.toISOString(),
  };
}

/**
 * Checks `objectName` against a succeeded job and records the verified metadata. A mismatched object is marked
 * with why, never deleted: the function holds no delete permission, and the evidence stays for the admin.
 */
export async function settleObject(
  bucket: Bucket,
  target: Target,
  objectName: string,
  job: JobStatus,
  now: Date,
): Promise<ObjectInfo> {
  const info = await getObject(bucket, objectName);
  if (!info) {
    throw new BackupError('CHECK_MISMATCH', `the agent reported success but ${objectName} does not exist`);
  }
  const mismatch = findMismatch(info, job) ?? (job.sha256 ? null : 'the agent reported no sha256');
  if (mismatch) {
    await annotate(bucket, info, { [CHECK_FAILED_KEY]: mismatch });
    throw new BackupError(
      'CHECK_MISMATCH',
      `${mismatch}; generation ${info.generation} is marked ${CHECK_FAILED_KEY}: replace it with force=true`,
    );
  }
  await annotate(bucket, info, verifiedMetadata(job, target, now));
  return info;
}
