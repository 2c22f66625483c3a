// After a job succeeded: check the object against the agent's counts, record what the checks and later proofs read —
// the function's signed attestation among them — decide which retention class it is in (its customTime), and say
// whether the dump looks too small to be right: what a backup run and the watchdog report of a checked backup.
import type { Bucket } from '@google-cloud/storage';
import { BackupError } from '../../core/errors.js';
import type { JobStatus } from '../../core/protocol.js';
import type { FunctionConfig, Target } from '../config/schema.js';
import { retentionPolicy } from '../retention/classes.js';
import { classifyAmong } from '../retention/classify.js';
import { classMetadata, type Retention, readRetention } from '../retention/metadata.js';
import { getObject, type ObjectInfo } from '../storage/objects.js';
import { updateObject } from '../storage/update-object.js';
import { attest } from './attestation.js';
import { binlogMetadata } from './binlog-metadata.js';
import { CHECK_FAILED_KEY, ENCRYPTED_FOR_KEY, VERIFIED_KEY } from './good-backup.js';
import { findMismatch } from './prove-object.js';
import { listProvenBackups } from './proven-backups.js';
import { DUMP_BYTES_KEY, earlierDumpSizes, shrinkWarning } from './shrink-check.js';

function verifiedMetadata(
  job: JobStatus,
  target: Target,
  checkedAt: Date,
  info: ObjectInfo,
): Record<string, string | null> {
  return {
    [VERIFIED_KEY]: checkedAt.toISOString(),
    sha256: job.sha256 ?? '',
    [DUMP_BYTES_KEY]: String(job.bytesRead),
    runId: job.runId,
    jobId: job.jobId,
    targetId: target.id,
    engine: target.engine,
    database: target.database,
    agentHost: new URL(target.agentUrl).host,
    ...binlogMetadata(job.binlog, info.metadata),
    // Who can open it, by fingerprint: which identity an admin needs, without any key in the metadata.
    ...(job.recipients && { [ENCRYPTED_FOR_KEY]: job.recipients.join(' ') }),
  };
}

/** What an agent counted of a stream it uploaded: a backup's job, a shipped log. */
type Counted = Pick<JobStatus, 'bytesUploaded' | 'crc32c' | 'md5' | 'sha256' | 'recipients'>;

/** What differs between the object and what the agent counted of the stream it uploaded; null when nothing does. */
export function uploadMismatch(info: ObjectInfo, counted: Counted, target: Target): string | null {
  return (
    findMismatch(info, counted) ??
    (counted.sha256 ? null : 'the agent reported no sha256') ??
    // The function's own refusal of plaintext under an encrypted name, whatever an agent says it did.
    (target.encryption === 'required' && !counted.recipients?.length
      ? 'the target requires encryption and the agent reported no recipients it encrypted for'
      : null)
  );
}

/**
 * Marks a mismatched object with why and throws CHECK_MISMATCH saying what to do. It is never deleted: the function
 * holds no delete permission, and the evidence stays for the admin.
 */
export async function refuseObject(
  bucket: Bucket,
  info: ObjectInfo,
  mismatch: string,
  remedy: string,
): Promise<never> {
  await updateObject(bucket, info, { metadata: { [CHECK_FAILED_KEY]: mismatch } });
  throw new BackupError(
    'CHECK_MISMATCH',
    `${mismatch}; generation ${info.generation} is marked ${CHECK_FAILED_KEY}: ${remedy}`,
  );
}

export interface Checked {
  info: ObjectInfo;
  /** Its class and retention end, as recorded on it. */
  retention?: Retention;
  /** Set when the dump is much smaller than the target's recent ones. */
  warning?: string;
}

/**
 * Checks `objectName` against a succeeded job and records the verified metadata, with the customTime of the
 * longest retention class the backup is the copy of, in one write.
 */
export async function checkObject(
  bucket: Bucket,
  config: FunctionConfig,
  target: Target,
  planned: { objectName: string; date: string },
  job: JobStatus,
  now: Date,
): Promise<Checked> {
  const info = await getObject(bucket, planned.objectName);
  if (!info) {
    throw new BackupError(
      'CHECK_MISMATCH',
      `the agent reported success but ${planned.objectName} does not exist`,
    );
  }
  const mismatch = uploadMismatch(info, job, target);
  if (mismatch) await refuseObject(bucket, info, mismatch, 'replace it with force=true');
  // Only proven backups take a period's place, or count in the median of recent sizes.
  const { proven: backups } = await listProvenBackups(bucket, config, target, now);
  const copy = classifyAmong(backups, planned.date, retentionPolicy(config));
  const verified = verifiedMetadata(job, target, now, info);
  const checked = await updateObject(bucket, info, {
    metadata: { ...verified, ...attest(config.bucket, info, config.signingKey, now, verified) },
    keepUntil: copy.until,
    retention: classMetadata(copy.class),
  });
  const retention = readRetention(checked);
  const warning = shrinkWarning(
    job.bytesRead,
    earlierDumpSizes(backups, planned.date),
    config.shrinkWarningRatio,
  );
  return { info: checked, ...(retention && { retention }), ...(warning && { warning }) };
}

/** What a target's report says of a checked backup; a dump that shrank is its error (BACKUP_SHRANK), kept all the same. */
export function checkedReport(checked: Checked, jobId: string) {
  return {
    jobId,
    bytes: checked.info.size,
    generation: checked.info.generation,
    ...(checked.retention && { retention: checked.retention }),
    ...(checked.warning && { error: { code: 'BACKUP_SHRANK', message: checked.warning } }),
  };
}
