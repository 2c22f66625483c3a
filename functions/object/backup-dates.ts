// The days that have a backup, as a refusal of a date nobody backed up lists them: so whoever typed a wrong date reads
// the right ones in the same answer.
import { isoDay } from '../../core/object-name.js';
import type { TargetBackup } from '../storage/target-backups.js';

/** More days than anyone reads in one line; the rest are counted. */
const SHOWN = 10;

/** `2026-12-07, 2026-12-06 and 3 earlier`, newest first; `none` when there are none. */
export function describeDates(backups: readonly TargetBackup[]): string {
  const days = [...new Set(backups.map((backup) => backup.date))].sort().reverse();
  if (days.length === 0) return 'none';
  const shown = days.slice(0, SHOWN).map(isoDay).join(', ');
  return days.length > SHOWN ? `${shown} and ${days.length - SHOWN} earlier` : shown;
}
