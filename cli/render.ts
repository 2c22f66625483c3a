// The reports as people read them: one table per run, each restore's tables and checks beneath it (and where a kept
// scratch database is), the backups of each database, a kept scratch database dropped. Whatever came from a report (a
// table's name, a tool's words, metadata) is made printable here, before any colour is added.
import { dropScratchCommand } from '../core/restore-protocol.js';
import type { DropScratchReport, ListReport, RunReport, TargetReport } from '../functions/api.js';
import { bytes, day, duration, table, time } from './format.js';
import { type Look, PLAIN } from './look.js';
import { printable } from './printable.js';

function detail(target: TargetReport): string {
  if (target.error) return `${target.error.code}: ${target.error.message}`;
  return target.note ?? '';
}

function restoreLines(target: TargetReport, look: Look): string[] {
  const restore = target.restore;
  if (!restore) return [];
  const lines = [
    printable(
      `${target.targetId}: ${target.objectName} into ${restore.scratchDatabase} (${restore.scratch}), recovery time ${duration(restore.durationMs)}, ${bytes(restore.bytesDownloaded)} read, ${bytes(restore.bytesRestored)} restored`,
    ),
  ];
  for (const t of restore.tables) {
    lines.push(printable(`  table ${t.name}: ${t.rows} rows`));
  }
  for (const c of restore.checks) {
    const found = `  check ${c.name}: ${c.error ?? c.value ?? 'no value'} (must be ${c.expected})`;
    lines.push(`${printable(found)}  ${look.tone(c.ok ? 'passed' : 'FAILED')}`);
  }
  // Until it is dropped, the next restore into it and the drill fail: where it is, and how to drop it.
  if (restore.scratch === 'kept') {
    const command = dropScratchCommand(target.targetId, restore.scratchDatabase);
    lines.push(printable(`kept: ${restore.location ?? restore.scratchDatabase}; drop it with: ${command}`));
  }
  return lines;
}

/** A kept scratch database dropped as asked. */
export function renderDrop(report: DropScratchReport): string {
  const { scratchDatabase, location, keptBy } = report;
  return printable(
    `dropped ${scratchDatabase}${location ? ` (${location})` : ''}, kept by restore ${keptBy.jobId} of ${keptBy.objectName}`,
  );
}

export function renderRun(report: RunReport, look: Look = PLAIN): string {
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
    (target.error?.stderrTail ?? []).map((line) => printable(`  ${target.targetId} | ${line}`)),
  );
  return [
    `${printable(`${title} ${report.runId} (${day(report.date)})`)}: ${look.tone(printable(report.status))}`,
    '',
    table(['target', 'outcome', 'object', 'size', 'time', 'detail'], rows, look, { toned: [1], shrinks: 5 }),
    ...report.targets
      .flatMap((target) => restoreLines(target, look))
      .map((line, index) => (index === 0 ? `\n${line}` : line)),
    ...(stderr.length > 0 ? ['', 'last lines of the tools:', ...stderr] : []),
    // verify's report carries the earlier drills it settled, shown as the drill's own table.
    ...(report.drills ? ['', renderRun(report.drills, look)] : []),
  ].join('\n');
}

export function renderList(report: ListReport, look: Look = PLAIN): string {
  return report.targets
    .map(({ targetId, database, engine, backups, unproven = [] }) => {
      // With every generation: which one each row is, and whether it is still the live one.
      const generation = (backup: (typeof backups)[number]) =>
        report.all
          ? [
              backup.generation,
              backup.noncurrentSince ? `noncurrent since ${time(backup.noncurrentSince)}` : 'live',
            ]
          : [];
      const rows = backups.map((backup) => [
        day(backup.date),
        backup.objectName,
        ...generation(backup),
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
      const heading = printable(`${targetId} (${database}, ${engine}): ${backups.length} backup(s)`);
      const strangers = unproven.map(
        (object) =>
          `${look.tone('NOT PROVEN OURS')}, left out: ${printable(`${object.objectName} (generation ${object.generation}): ${object.why}`)}`,
      );
      if (rows.length === 0) return [heading, ...strangers].join('\n');
      const extra = report.all ? ['generation', 'current'] : [];
      const header = [
        'date',
        'object',
        ...extra,
        'size',
        'class',
        'expires',
        'verified',
        'deep check',
        'drill',
      ];
      const toned = [5, 6, 7].map((column) => column + extra.length);
      return [heading, table(header, rows, look, { toned }), ...strangers].join('\n');
    })
    .join('\n\n');
}
