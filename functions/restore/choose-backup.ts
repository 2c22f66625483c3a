// Which backup a restore reads: the newest verified one of the target, or the verified one of the date asked for.
// Only a verified backup proven ours — its size, CRC32C and MD5 once matched against its agent's record, and the
// function's attestation of exactly that object on it — is restored: those are what every byte read is checked
// against. Objects that claim to be backups and are not proven are left out, each named in an alerting line.
import { BackupError } from '../../core/errors.js';
import { isoDay } from '../../core/object-name.js';
import type { Target } from '../config/schema.js';
import { describeDates } from '../object/backup-dates.js';
import { isGoodBackup, knownFault } from '../object/good-backup.js';
import { listProvenBackups, reportUnproven } from '../object/proven-backups.js';
import type { RunContext } from '../run/run-context.js';
import type { ObjectInfo } from '../storage/objects.js';

export interface ChosenBackup {
  info: ObjectInfo & { crc32c: string; md5Hash: string };
  date: string;
}

function usable(info: ObjectInfo): info is ChosenBackup['info'] {
  return isGoodBackup(info) && Boolean(info.crc32c && info.md5Hash);
}

export async function chooseBackup(ctx: RunContext, target: Target, date?: string): Promise<ChosenBackup> {
  const { proven, unproven } = await listProvenBackups(ctx.bucket, ctx.config, target, ctx.deps.clock.now());
  reportUnproven(ctx.deps.logger, unproven, {
    runId: ctx.runId,
    targetId: target.id,
    database: target.database,
  });
  if (date === undefined) {
    const newest = proven.find((backup) => usable(backup.info));
    if (!newest)
      throw new BackupError('BACKUP_MISSING', `${target.database} has no verified backup to restore`);
    return newest as ChosenBackup;
  }
  const dated = proven.find((backup) => backup.date === date);
  const planted = unproven.find(({ backup }) => backup.date === date);
  if (!dated && planted) {
    const why = `${planted.backup.info.name} is not proven ours (${planted.why})`;
    throw new BackupError('BACKUP_MISSING', `${target.database} has no backup dated ${date}: ${why}`);
  }
  if (!dated) {
    // Nothing at all of that day: a date typed wrong, answered with the days a restore can read.
    const restorable = proven.filter((backup) => usable(backup.info));
    throw new BackupError(
      'DATE_WITHOUT_BACKUP',
      `${target.database} has no backup dated ${isoDay(date)}; its restorable backups are of: ${describeDates(restorable)}`,
    );
  }
  if (!usable(dated.info)) {
    const why =
      knownFault(dated.info)?.message ??
      'it was never verified against its agent’s record (run verify for that date)';
    throw new BackupError('BACKUP_MISSING', `${dated.info.name} cannot be restored: ${why}`);
  }
  return dated as ChosenBackup;
}
