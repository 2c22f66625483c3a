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

/**
 * A backup's calendar day, from the date in its name (yyyyMMdd), which is already the day in the backup time zone.
 * Periods are counted on the calendar alone, so it is kept in UTC, where no offset needs computing.
 */
export function backupDay(date: string): DateTime {
  const day = /^\d{8}$/.test(date)
    ? DateTime.utc(Number(date.slice(0, 4)), Number(date.slice(4, 6)), Number(date.slice(6, 8)))
    : null;
  if (!day?.isValid) throw new RangeError(`not a backup date (yyyyMMdd): ${JSON.stringify(date)}`);
  return day;
}

const pad = (value: number) => String(value).padStart(2, '0');

/**
 * The period of `retentionClass` that a backup's day falls in, named as people write it: `2031-01-05`,
 * `2031-W01` (ISO week-year and week), `2031-01`, `2031`.
 */
export function periodOf(day: DateTime, retentionClass: RetentionClass): string {
  switch (retentionClass) {
    case 'daily':
      return `${day.year}-${pad(day.month)}-${pad(day.day)}`;
    case 'weekly':
      return `${day.weekYear}-W${pad(day.weekNumber)}`;
    case 'monthly':
      return `${day.year}-${pad(day.month)}`;
    case 'yearly':
      return String(day.year);
  }
}

/**
 * When the copy of `retentionClass` for the period holding `day` stops being kept: midnight, in the backup time
 * zone, of the period's first day plus the class's length. With 4 weeks, the weekly copies of this ISO week and
 * the 3 before it are kept.
 */
export function classEnd(day: DateTime, retentionClass: RetentionClass, policy: RetentionPolicy): Date {
  const unit = UNIT[retentionClass];
  const end = day.startOf(unit).plus({ [`${unit}s`]: policy.lengths[retentionClass] });
  return DateTime.fromObject(
    { year: end.year, month: end.month, day: end.day },
    { zone: policy.timeZone },
  ).toJSDate();
}

/** How long the newest good copy is kept from `now` while no newer one exists: as long as today's daily copy. */
export function newestCopyEnd(now: Date, policy: RetentionPolicy): Date {
  return DateTime.fromJSDate(now, { zone: policy.timeZone })
    .startOf('day')
    .plus({ days: policy.lengths.daily })
    .toJSDate();
}
