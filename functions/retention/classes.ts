// The grandfather-father-son classes a backup can belong to, their periods in the backup time zone, and when each
// class's copy stops being kept. Pure: dates in, dates out.
import { DateTime } from 'luxon';
import type { FunctionConfig } from '../config/schema.js';

/** Shortest to longest. */
export const RETENTION_CLASSES = ['daily', 'weekly', 'monthly', 'yearly'] as const;
export type RetentionClass = (typeof RETENTION_CLASSES)[number];

export interface RetentionPolicy {
  timeZone: string;
  /** How many of its periods each class keeps its copy; 0 turns the class off. */
  lengths: Record<RetentionClass, number>;
}

export function retentionPolicy(
  config: Pick<
    FunctionConfig,
    | 'timeZone'
    | 'retentionDailyDays'
    | 'retentionWeeklyWeeks'
    | 'retentionMonthlyMonths'
    | 'retentionYearlyYears'
  >,
): RetentionPolicy {
  return {
    timeZone: config.timeZone,
    lengths: {
      daily: config.retentionDailyDays,
      weekly: config.retentionWeeklyWeeks,
      monthly: config.retentionMonthlyMonths,
      yearly: config.retentionYearlyYears,
    },
  };
}

/** Weeks are ISO weeks (Monday to Sunday), luxon's default. */
const UNIT = { daily: 'day', weekly: 'week', monthly: 'month', yearly: 'year' } as const;
/** A period's name, e.g. 2031-W01: how reports and tests name it. */
const PERIOD_FORMAT = { daily: 'yyyy-MM-dd', weekly: "kkkk-'W'WW", monthly: 'yyyy-MM', yearly: 'yyyy' };

/** The start of the backup's day: its date (yyyyMMdd, as in its name) in the backup time zone. */
function dayOf(date: string, timeZone: string): DateTime {
  const day = DateTime.fromFormat(date, 'yyyyMMdd', { zone: timeZone });
  if (!day.isValid) throw new RangeError(`not a backup date (yyyyMMdd): ${JSON.stringify(date)}`);
  return day;
}

/** The period of `retentionClass` that the backup dated `date` falls in, e.g. `2031-W01` for a weekly copy. */
export function periodOf(date: string, retentionClass: RetentionClass, timeZone: string): string {
  return dayOf(date, timeZone).toFormat(PERIOD_FORMAT[retentionClass]);
}

/**
 * When the copy of `retentionClass` for the period holding `date` stops being kept: the start of that period
 * plus the class's length, so with 4 weeks the weekly copies of this ISO week and the 3 before it are kept.
 */
export function classEnd(date: string, retentionClass: RetentionClass, policy: RetentionPolicy): Date {
  const unit = UNIT[retentionClass];
  return dayOf(date, policy.timeZone)
    .startOf(unit)
    .plus({ [`${unit}s`]: policy.lengths[retentionClass] })
    .toJSDate();
}

/** How long the newest good copy is kept from `now` while no newer one exists: as long as today's daily copy. */
export function newestCopyEnd(now: Date, policy: RetentionPolicy): Date {
  return DateTime.fromJSDate(now, { zone: policy.timeZone })
    .startOf('day')
    .plus({ days: policy.lengths.daily })
    .toJSDate();
}
