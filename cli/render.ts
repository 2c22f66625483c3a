// The reports as people read them: one table per run, each restore's tables and checks beneath it, and the backups
// of each database.
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
    lines.push(`  table ${t.name}: ${t.rows} rows`);
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
    .map(({ targetId, database, engine, backups, unproven = [] }) => {
      const rows = backups.map((backup) => [
        day(backup.date),
        backup.objectName,
        bytes(backup.size),
        [backup.retentionClass, backup.storageClass].filter(Boolean).join(' / '),
        time(backup.expiresAt),
        backup.checkFailed ? 'FAILED' : backup.verifiedAt ? 'yes' : 'no',
        backup.deepCheckFailed
          ? 'FAILED'
          : backup.deepCheckedAt
            ? `passed ${time(backup.deepCheckedAt)}`
            : '',
        backup.drill?.state === 'passed'
          ? `passed ${time(backup.drill.drilledAt)}`
          : (backup.drill?.state ?? ''),
      ]);
      const heading = `${targetId} (${database}, ${engine}): ${backups.length} backup(s)`;
      const strangers = unproven.map(
        (object) =>
          `NOT PROVEN OURS, left out: ${object.objectName} (generation ${object.generation}): ${object.why}`,
      );
      if (rows.length === 0) return [heading, ...strangers].join('\n');
      return [
        heading,
        table(['date', 'object', 'size', 'class', 'expires', 'verified', 'deep check', 'drill'], rows),
        ...strangers,
      ].join('\n');
    })
    .join('\n\n');
}
