// A day still to come, typed as the day to check: nothing can have been backed up on it, so the request names nothing
// real. Refused before anything runs — no run, no alert — with the days that have a backup.
import { BackupError } from '../../core/errors.js';
import { backupDate, isoDay } from '../../core/object-name.js';
import type { FunctionConfig, Target } from '../config/schema.js';
import { describeDates } from '../object/backup-dates.js';
import { listProvenBackups } from '../object/proven-backups.js';
import type { FunctionDeps } from '../run/deps.js';

export async function refuseDayToCome(
  config: FunctionConfig,
  deps: FunctionDeps,
  targets: readonly Target[],
  day: Date,
  now: Date,
): Promise<void> {
  const asked = backupDate(day, config.timeZone);
  const today = backupDate(now, config.timeZone);
  if (asked <= today) return;
  const bucket = deps.storage.bucket(config.bucket);
  const dates = await Promise.all(
    targets.map(
      async (target) =>
        `${target.database}: ${describeDates((await listProvenBackups(bucket, config, target, now)).proven)}`,
    ),
  );
  throw new BackupError(
    'DATE_WITHOUT_BACKUP',
    `date: ${isoDay(asked)} is still to come (today is ${isoDay(today)} in ${config.timeZone}), so no backup of it exists; the days with a backup are ${dates.join('; ')}`,
  );
}
