// What each finished run leaves in the targets' status records: a backup run its attempts; verify what it learned
// of the day's attempt (never an older day's over a newer one) and its deep checks; a restore run its restore or
// drill. A record that cannot be written is logged and changes nothing of the run's own outcome or alert.
import type { FunctionConfig } from '../config/schema.js';
import type { FunctionDeps } from '../run/deps.js';
import type { RunReport, TargetReport } from '../run/report.js';
import { type RecordEntry, type RecordKind, recordEntry, recordKeys } from './status-record.js';

interface Write {
  kind: RecordKind;
  entry: RecordEntry;
  replaces?: (current: RecordEntry | undefined) => boolean;
}

function entryOf(report: RunReport, target: TargetReport, by: RecordEntry['by']): RecordEntry {
  return {
    at: report.finishedAt,
    runId: report.runId,
    outcome: target.outcome,
    by,
    objectName: target.objectName,
    date: report.date,
    ...(target.error && { error: { code: target.error.code, message: target.error.message } }),
    ...(target.deadline && { deadline: target.deadline }),
    ...(target.pointInTime && { moment: target.pointInTime.moment }),
  };
}

/** Verify speaks of the day it checked: it speaks for that day's attempt, not a later one. */
const notNewer = (date: string) => (current: RecordEntry | undefined) =>
  current?.date === undefined || current.date <= date;

function writesOf(report: RunReport, target: TargetReport, pointInTime: boolean): Write[] {
  if (report.kind === 'backup') return [{ kind: 'backup', entry: entryOf(report, target, 'backup') }];
  if (report.kind === 'restore') {
    const entry = entryOf(report, target, 'restore');
    if (!report.drill) return [{ kind: 'restore', entry }];
    // Also when it failed before a moment was chosen: a point-in-time database's drill is one at a moment.
    return [{ kind: 'drill', entry }, ...(pointInTime ? [{ kind: 'pointInTimeDrill' as const, entry }] : [])];
  }
  // Bytes found wrong later say nothing of how the attempt went: that is the deep check's own entry and problem.
  const writes: Write[] =
    target.error?.code === 'DEEP_CHECK_FAILED'
      ? []
      : [{ kind: 'backup', entry: entryOf(report, target, 'verify'), replaces: notNewer(report.date) }];
  const deep = target.deepCheck;
  if (deep) {
    const entry = entryOf(report, target, 'verify');
    writes.push({
      kind: 'deepCheck',
      entry: { ...entry, at: deep.checkedAt, outcome: deep.passed ? 'passed' : 'failed' },
    });
  } else if (report.deep && target.error?.code === 'DOWNLOAD_FAILED') {
    writes.push({ kind: 'deepCheck', entry: { ...entryOf(report, target, 'verify'), outcome: 'unread' } });
  }
  return writes;
}

export async function recordReport(
  config: FunctionConfig,
  deps: FunctionDeps,
  report: RunReport,
): Promise<void> {
  if (report.dryRun) return;
  const bucket = deps.storage.bucket(config.bucket);
  const keys = recordKeys(config);
  for (const target of report.targets) {
    const pointInTime = config.targets.some((t) => t.id === target.targetId && t.pointInTime);
    for (const write of writesOf(report, target, pointInTime)) {
      await recordEntry(
        bucket,
        config.prefix,
        target.targetId,
        keys,
        write.kind,
        write.entry,
        write.replaces,
      ).catch((error: Error) =>
        deps.logger.event(
          'status.record-failed',
          `could not record ${target.targetId}'s ${write.kind}: ${error.message}`,
          {
            runId: report.runId,
            targetId: target.targetId,
          },
        ),
      );
    }
  }
}
