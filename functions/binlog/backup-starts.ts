// Where a pointInTime database's kept backups start in its server's binary log, from their attested metadata alone:
// what shipping ships from, what verify and status follow the chain from, and what a restore to a moment replays from.
import type { Bucket } from '@google-cloud/storage';
import { DateTime } from 'luxon';
import { backupDate } from '../../core/object-name.js';
import type { FunctionConfig, Target } from '../config/schema.js';
import { attestationKeys, factsAttested } from '../object/attestation.js';
import { binlogPositionOf } from '../object/binlog-metadata.js';
import { listProvenBackups } from '../object/proven-backups.js';
import type { ObjectInfo } from '../storage/objects.js';
import type { TargetBackup } from '../storage/target-backups.js';
import type { ChainStart } from './chain.js';

export interface BackupStart {
  backup: TargetBackup;
  /** Null when the backup records no attested position (binary logging was off at its dump, or it predates it). */
  start: ChainStart | null;
}

/** Where the backup `info` starts in its server's log, when its attestation covers the position; null otherwise. */
export function attestedStart(
  config: Pick<FunctionConfig, 'bucket' | 'signingKey' | 'retiredSigningKeys'>,
  info: ObjectInfo,
): ChainStart | null {
  const keys = attestationKeys(config.signingKey, config.retiredSigningKeys);
  const position = factsAttested(config.bucket, info, keys) ? binlogPositionOf(info.metadata) : null;
  return (
    position && {
      file: position.file,
      position: position.position,
      serverId: position.serverId,
      takenAt: new Date(info.timeCreated),
    }
  );
}

/**
 * The target's proven backups within the point-in-time window (the daily retention days before today), newest first,
 * each with its attested start.
 */
export async function backupStarts(
  bucket: Bucket,
  config: FunctionConfig,
  target: Target,
  now: Date,
): Promise<BackupStart[]> {
  const since = backupDate(
    DateTime.fromJSDate(now).minus({ days: config.retentionDailyDays }).toJSDate(),
    config.timeZone,
  );
  const { proven } = await listProvenBackups(bucket, config, target, now);
  return proven
    .filter((backup) => backup.date >= since)
    .map((backup) => ({ backup, start: attestedStart(config, backup.info) }));
}
