// The reports as people read them: one table per run, each restore's tables and checks beneath it, the backups of
// each database, and each database's state at a glance.
import type { ListReport, RunReport, TargetReport } from '../functions/api.js';
import { bytes, day, duration, table, time } from './format.js';

function detail(target: TargetReport): string {
  if (target.error) return `${target.error.code}: ${target.error.message}`;
  return target.note ?? '';
}

function restoreLines(target: TargetReport): string[] {
  const restore = target.restore;
  if (!restore) return [];
  const lines = [
    `${target.targetId}: ${target.objectName} into ${restore.scratchDatabase} (${restore.scratch}), recovery time ${duration(restore.durationMs)}, ${bytes(restore.bytesDownloaded)} read, ${bytes(restore.bytesRestored)} restored`,
  ];
  for (const t of restore.tables) {
    lines.push(
      `  table ${t.name}: ${t.rows ?? 'missing'} rows${t.expectedRows === null ? '' : ` (dump: ${t.expectedRows})`}${t.ok ? '' : '  MISMATCH'}`,
    );
  }
  for (const c of restore.checks) {
    lines.push(
      `  check ${c.name}: ${c.error ?? c.value ?? 'no value'} (must be ${c.expected})  ${c.ok ? 'passed' : 'FAILED'}`,
    );
  }
  return lines;
}

export function renderRun(report: RunReport): string {
  const title = report.kind === 'restore' && report.drill ? 'restore drill' : report.kind;
  const rows = report.targets.map((target) => [
    target.targetId,
    target.outcome,
    target.objectName,
    bytes(target.bytes),
    duration(target.restore?.durationMs ?? target.durationMs),
    detail(target),
  ]);
  const stderr = report.targets.flatMap((target) =>
    (target.error?.stderrTail ?? []).map((line) => `  ${target.targetId} | ${line}`),
  );
  return [
    `${title} ${report.runId} (${day(report.date)}): ${report.status}`,
    '',
    table(['target', 'outcome', 'object', 'size', 'time', 'detail'], rows),
    ...report.targets.flatMap(restoreLines).map((line, index) => (index === 0 ? `\n${line}` : line)),
    ...(stderr.length > 0 ? ['', 'last lines of the tools:', ...stderr] : []),
    // verify's report carries the earlier drills it settled, shown as the drill's own table.
    ...(report.drills ? ['', renderRun(report.drills)] : []),
  ].join('\n');
}

export function renderList(report: ListReport): string {
  return report.targets
    .map(({ targetId, database, engine, backups }) => {
      const rows = backups.map((backup) => [
        day(backup.date),
        backup.objectName,
        bytes(backup.size),
        [backup.retentionClass, backup.storageClass].filter(Boolean).join(' / '),
        time(backup.expiresAt),
        backup.checkFailed ? 'FAILED' : backup.verifiedAt ? 'yes' : 'no',
        backup.drill?.state === 'passed'
          ? `passed ${time(backup.drill.drilledAt)}`
          : (backup.drill?.state ?? ''),
      ]);
      const heading = `${targetId} (${database}, ${engine}): ${backups.length} backup(s)`;
      if (rows.length === 0) return heading;
      return `${heading}\n${table(['date', 'object', 'size', 'class', 'expires', 'verified', 'drill'], rows)}`;
    })
    .join('\n\n');
}

export interface TargetState {
  targetId: string;
  newest?: string;
  newestVerified?: string;
  lastDrill?: string;
  /** Why this database needs the admin, when it does. */
  problem?: string;
}

/** Each database at a glance: its newest backup, newest verified one, and how its last drill went. */
export function statusOf(report: ListReport): TargetState[] {
  return report.targets.map(({ targetId, backups }) => {
    const verified = backups.find((backup) => backup.verifiedAt && !backup.checkFailed);
    const drilled = backups.find((backup) => backup.drill?.state);
    const problem = !verified
      ? 'no verified backup'
      : backups[0]?.checkFailed
        ? `the newest backup failed its check: ${backups[0].checkFailed}`
        : drilled?.drill?.state === 'failed'
          ? `the last drill failed: ${drilled.drill.failed ?? ''}`
          : undefined;
    return {
      targetId,
      ...(backups[0] && { newest: day(backups[0].date) }),
      ...(verified && { newestVerified: day(verified.date) }),
      ...(drilled && { lastDrill: `${drilled.drill?.state} (${day(drilled.date)})` }),
      ...(problem && { problem }),
    };
  });
}

export function renderStatus(states: TargetState[]): string {
  return table(
    ['target', 'newest', 'verified', 'last drill', 'problem'],
    states.map((s) => [
      s.targetId,
      s.newest ?? 'none',
      s.newestVerified ?? 'none',
      s.lastDrill ?? 'never',
      s.problem ?? '',
    ]),
  );
}
