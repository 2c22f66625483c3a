// Which backup a restore reads: the newest verified one of the target, or the verified one of the date asked for (the
// live generation, or one the versioned bucket still keeps after a newer one replaced it).
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
import type { TargetBackup } from '../storage/target-backups.js';

export interface ChosenBackup {
  info: ObjectInfo & { crc32c: string; md5Hash: string };
  date: string;
}

/** Verified, its hashes known: what a restore checks every byte against. */
export function usable(info: ObjectInfo): info is ChosenBackup['info'] {
  return isGoodBackup(info) && Boolean(info.crc32c && info.md5Hash);
}

/** The date's generations a restore may read, newest first, the live one named so. */
function generationsOf(backups: readonly TargetBackup[], date: string): string {
  const kept = backups.filter((backup) => backup.date === date && usable(backup.info));
  return (
    kept.map(({ info }) => `${info.generation}${info.timeDeleted ? '' : ' (live)'}`).join(', ') || 'none'
  );
}

export async function chooseBackup(
  ctx: RunContext,
  target: Target,
  /** The backup's date (the newest verified backup without one), and of it a generation (the live one without one). */
  wanted: { date?: string; generation?: string } = {},
): Promise<ChosenBackup> {
  const { date, generation } = wanted;
  const now = ctx.deps.clock.now();
  const { proven, unproven } = await listProvenBackups(
    ctx.bucket,
    ctx.config,
    target,
    now,
    Boolean(generation),
  );
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
  const asked = (backup: TargetBackup) =>
    backup.date === date && (generation === undefined || backup.info.generation === generation);
  const dated = proven.find(asked);
  const planted = unproven.find(({ backup }) => asked(backup));
  if (!dated && planted) {
    const why = `${planted.backup.info.name} (generation ${planted.backup.info.generation}) is not proven ours (${planted.why})`;
    throw new BackupError('BACKUP_MISSING', `${target.database} has no backup dated ${date}: ${why}`);
  }
  if (!dated && generation && proven.some((backup) => backup.date === date)) {
    throw new BackupError(
      'GENERATION_UNKNOWN',
      `${target.database}'s backup of ${isoDay(date)} has no generation ${generation} kept; its restorable generations are: ${generationsOf(proven, date)}`,
    );
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
