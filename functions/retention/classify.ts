// Which copy a good backup is: the first good backup of a day, ISO week, month and year (in the backup time zone)
// is that period's copy, kept until the end of the longest class it belongs to. Pure: the target's good backups
// are passed in, so the same answer comes whenever and by whichever run it is asked.

import { isGoodBackup } from '../object/good-backup.js';
import type { TargetBackup } from '../storage/target-backups.js';
import {
  backupDay,
  classEnd,
  periodOf,
  RETENTION_CLASSES,
  type RetentionClass,
  type RetentionPolicy,
} from './classes.js';

export interface Classified {
  /** The class whose copy it is that is kept longest. */
  class: RetentionClass;
  /** Every class whose copy it is, shortest first. */
  classes: RetentionClass[];
  /** When it stops being kept: the end of `class`. */
  until: Date;
}

/** The earliest good backup date (yyyyMMdd) of every period of every class, keyed `<class> <period>`. */
export type PeriodFirsts = ReadonlyMap<string, string>;

/** Indexes the target's good backups once, so classifying each of hundreds of them stays cheap. */
export function periodFirsts(goodDates: Iterable<string>): PeriodFirsts {
  const firsts = new Map<string, string>();
  for (const date of goodDates) {
    const day = backupDay(date);
    for (const retentionClass of RETENTION_CLASSES) {
      const period = `${retentionClass} ${periodOf(day, retentionClass)}`;
      const first = firsts.get(period);
      if (first === undefined || date < first) firsts.set(period, date);
    }
  }
  return firsts;
}

/**
 * The classes of the good backup dated `date` (yyyyMMdd). Only earlier good backups count: when the first backup
 * of a week failed, the next good one that week is the weekly copy. Every good backup is at least its day's copy
 * (there is one backup name per target and day).
 */
export function classify(date: string, firsts: PeriodFirsts, policy: RetentionPolicy): Classified {
  const day = backupDay(date);
  const classes = RETENTION_CLASSES.filter((retentionClass) => {
    if (policy.lengths[retentionClass] === 0) return false;
    const first = firsts.get(`${retentionClass} ${periodOf(day, retentionClass)}`);
    return first === undefined || first >= date;
  });
  let best: { class: RetentionClass; until: Date } | undefined;
  for (const retentionClass of classes) {
    const until = classEnd(day, retentionClass, policy);
    // On a tie the longer class names the copy: a monthly copy that happens to end with a weekly one is monthly.
    if (!best || until >= best.until) best = { class: retentionClass, until };
  }
  // The daily class is always on (BACKUP_RETENTION_DAILY_DAYS is at least 1), so `best` is always set.
  return { ...(best as { class: RetentionClass; until: Date }), classes };
}

/** The classes a good backup dated `date` gets among the target's backups (it may be listed among them). */
export function classifyAmong(
  backups: readonly TargetBackup[],
  date: string,
  policy: RetentionPolicy,
): Classified {
  const good = backups.filter((backup) => isGoodBackup(backup.info)).map((backup) => backup.date);
  return classify(date, periodFirsts(good), policy);
}
