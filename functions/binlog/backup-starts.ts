// Where a pointInTime database's kept backups start in its server's binary log, from their attested metadata alone:
// what shipping ships from, and what verify and status follow the chain from.
import type { Bucket } from '@google-cloud/storage';
import { DateTime } from 'luxon';
import { backupDate } from '../../core/object-name.js';
import type { FunctionConfig, Target } from '../config/schema.js';
import { attestationKeys, factsAttested } from '../object/attestation.js';
import { binlogPositionOf } from '../object/binlog-metadata.js';
import { listProvenBackups } from '../object/proven-backups.js';
import type { TargetBackup } from '../storage/target-backups.js';
import type { ChainStart } from './chain.js';

export interface BackupStart {
  backup: TargetBackup;
  /** Null when the backup records no attested position (binary logging was off at its dump, or it predates it). */
  start: ChainStart | null;
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
  const keys = attestationKeys(config.signingKey, config.retiredSigningKeys);
  const since = backupDate(
    DateTime.fromJSDate(now).minus({ days: config.retentionDailyDays }).toJSDate(),
    config.timeZone,
  );
  const { proven } = await listProvenBackups(bucket, config, target, now);
  return proven
    .filter((backup) => backup.date >= since)
    .map((backup) => {
      const position = factsAttested(config.bucket, backup.info, keys)
        ? binlogPositionOf(backup.info.metadata)
        : null;
      const start = position && {
        file: position.file,
        position: position.position,
        serverId: position.serverId,
        takenAt: new Date(backup.info.timeCreated),
      };
      return { backup, start };
    });
}
