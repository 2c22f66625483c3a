// Which backup a restore reads: the newest verified one of the target, or the verified one of the date asked for.
// Only a verified backup — its size, CRC32C and MD5 once matched against its agent's record — is restored: those
// are what every byte read is checked against.
import type { Bucket } from '@google-cloud/storage';
import { BackupError } from '../../core/errors.js';
import type { Target } from '../config/schema.js';
import { isGoodBackup, knownFault } from '../good-backup.js';
import type { ObjectInfo } from '../storage/objects.js';
import { listTargetBackups } from '../storage/target-backups.js';

export interface ChosenBackup {
  info: ObjectInfo & { crc32c: string; md5Hash: string };
  date: string;
}

function usable(info: ObjectInfo): info is ChosenBackup['info'] {
  return isGoodBackup(info) && Boolean(info.crc32c && info.md5Hash);
}

export async function chooseBackup(
  bucket: Bucket,
  prefix: string,
  target: Target,
  date?: string,
): Promise<ChosenBackup> {
  const backups = await listTargetBackups(bucket, prefix, target);
  if (date === undefined) {
    const newest = backups.find((backup) => usable(backup.info));
    if (!newest)
      throw new BackupError('BACKUP_MISSING', `${target.database} has no verified backup to restore`);
    return newest as ChosenBackup;
  }
  const dated = backups.find((backup) => backup.date === date);
  if (!dated) throw new BackupError('BACKUP_MISSING', `${target.database} has no backup dated ${date}`);
  if (!usable(dated.info)) {
    const why =
      knownFault(dated.info)?.message ??
      'it was never verified against its agent’s record (run verify for that date)';
    throw new BackupError('BACKUP_MISSING', `${dated.info.name} cannot be restored: ${why}`);
  }
  return dated as ChosenBackup;
}
