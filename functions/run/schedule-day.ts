// Which backup the watchdog checks: the one of the most recent scheduled run, whose date may be yesterday's (a
// backup at 23:30 checked at 00:30), read from the same cron Cloud Scheduler runs.
import { CronExpressionParser } from 'cron-parser';

/** The moment of the latest scheduled run at or before `now`, in `timeZone`. */
export function lastScheduledRun(schedule: string, timeZone: string, now: Date): Date {
  // Past `now` by a millisecond, so a run scheduled exactly now counts as the latest.
  const cron = CronExpressionParser.parse(schedule, {
    tz: timeZone,
    currentDate: new Date(now.getTime() + 1),
  });
  return cron.prev().toDate();
}
