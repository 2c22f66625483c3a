// `db-backup status` as people read it: each database's last attempt, newest good backup, last drill, deep check
// and restore with their ages, a point-in-time database's recovery point and last drill at a moment in the
// configured zone, then every problem found with what to do. Report text is made printable here, before
// any colour is added.
import { localMoment } from '../core/local-moment.js';
import type { StatusReport } from '../functions/api.js';
import { day, table } from './format.js';
import { type Look, PLAIN } from './look.js';
import { printable } from './printable.js';

type Entry = { outcome?: string; ageHours?: number; date?: string } | undefined;

/** `3.5 h ago`, `4 d ago`. */
function ago(hours: number | undefined): string {
  if (hours === undefined) return '';
  return hours < 48 ? `${hours.toFixed(1)} h ago` : `${Math.floor(hours / 24)} d ago`;
}

const cell = (entry: Entry, never = 'never') =>
  entry ? [entry.outcome, ago(entry.ageHours)].filter(Boolean).join(' ') : never;

/** How far a point-in-time database can be restored to now, against the target, and its last drill at a moment. */
function pointInTimeLines(target: StatusReport['targets'][number], timeZone: string): string[] {
  const { targetId, recoveryPoint: point, lastPointInTimeDrill: drill } = target;
  const at = (iso: string) => localMoment(new Date(iso), timeZone);
  return [
    ...(point
      ? [
          `  ${targetId}  can be restored to ${at(point.reachesTo)} (${point.lagMinutes} min ago; target ${point.targetMinutes} min)`,
        ]
      : []),
    ...(drill
      ? [
          `  ${targetId}  last drill at a moment: ${drill.moment ? at(drill.moment) : 'none chosen'}, ${cell(drill)}`,
        ]
      : []),
  ].map((line) => printable(line));
}

export function renderStatus(report: StatusReport, look: Look = PLAIN): string {
  const rows = report.targets.map((target) => [
    target.targetId,
    cell(target.lastAttempt, 'none recorded'),
    target.newestGood ? `${day(target.newestGood.date)} (${ago(target.newestGood.ageHours)})` : 'none',
    cell(target.lastDrill),
    cell(target.lastDeepCheck),
    cell(target.lastRestore, ''),
  ]);
  const problems = report.problems.map((p) => printable(`  ${p.targetId}  ${p.code}: ${p.message}`));
  // Only point-in-time databases have these: lines beneath the table rather than columns mostly empty.
  const moments = report.targets.flatMap((target) => pointInTimeLines(target, report.timeZone));
  const header = ['target', 'last attempt', 'newest good', 'last drill', 'deep check', 'last restore'];
  return [
    table(header, rows, look, { toned: [1, 3, 4, 5] }),
    ...moments,
    '',
    problems.length === 0 ? look.good('No problems.') : look.bad(`Problems (${problems.length}):`),
    ...problems,
  ].join('\n');
}
