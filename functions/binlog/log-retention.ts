// How long a shipped binary log is kept: by the one lifecycle rule that expires backups (its customTime), for as
// long as the full backups it extends are kept within the point-in-time window (BACKUP_RETENTION_DAILY_DAYS).
import { DateTime } from 'luxon';
import type { FunctionConfig } from '../config/schema.js';

/**
 * A log whose last event is on day D extends the backups taken before it, each dated D or earlier and kept as a daily
 * copy until the start of its day plus the daily days. The log is kept a day longer than D's own daily copy: it
 * outlives every backup it extends within the window, and the restore from the last of them to a moment in it.
 */
export function logKeptUntil(
  lastEventAt: string,
  config: Pick<FunctionConfig, 'timeZone' | 'retentionDailyDays'>,
): Date {
  return DateTime.fromISO(lastEventAt, { zone: config.timeZone })
    .startOf('day')
    .plus({ days: config.retentionDailyDays + 1 })
    .toJSDate();
}
