// The one alert of a failed run (backup, check, restore, drill or binary-log shipping), as a pure function of its report: who failed,
// why, what was skipped, where to look.
import { isoDay } from '../../core/object-name.js';
import { isAlerting, logsExplorerUrl, type RunReport, type TargetReport } from '../run/report.js';
import type { MailMessage } from './mime.js';

export interface AlertContext {
  from: string;
  to: readonly string[];
  project?: string;
}

/** A restore's findings that did not hold, and where its scratch database is. */
function describeRestore(restore: NonNullable<TargetReport['restore']>): string[] {
  const lines = [`    scratch database: ${restore.scratchDatabase} (${restore.scratch})`];
  for (const check of restore.checks.filter((c) => !c.ok)) {
    lines.push(
      `    check "${check.name}": ${check.error ?? `gave ${check.value ?? 'nothing'}, must be ${check.expected}`}`,
    );
  }
  return lines;
}

function describeTarget(target: TargetReport): string[] {
  const head = `- ${target.targetId} (database ${target.database}, ${target.engine}): ${target.outcome.toUpperCase()}`;
  const lines = [head];
  if (target.objectName) lines.push(`    object: ${target.objectName}`);
  if (target.jobId) lines.push(`    agent job: ${target.jobId}`);
  if (target.restore) lines.push(...describeRestore(target.restore));
  if (target.bytes !== undefined) lines.push(`    size: ${target.bytes} bytes`);
  if (target.chain)
    lines.push(
      `    binary logs from the backup: ${target.chain.logs}, reaching to ${target.chain.reachesTo}`,
    );
  if (target.binlogs?.shipped.length)
    lines.push(`    binary logs shipped: ${target.binlogs.shipped.join(', ')}`);
  if (target.binlogs?.purged?.length)
    lines.push(`    binary logs lost (purged before shipping): ${target.binlogs.purged.join(', ')}`);
  if (target.note) lines.push(`    ${target.note}`);
  if (target.error) {
    lines.push(`    error ${target.error.code}: ${target.error.message}`);
    if (target.error.stderrTail?.length) {
      lines.push(
        `    last lines of the ${target.restore ? 'restore tools' : 'dump tool'}:`,
        ...target.error.stderrTail.map((line) => `      | ${line}`),
      );
    }
  }
  return lines;
}

const HEADLINE = {
  backup: 'Backup failed',
  verify: 'Backup check failed',
  restore: 'Restore failed',
  drill: 'Restore drill failed',
  binlogs: 'Binary-log shipping failed',
  chain: 'Point-in-time recovery at risk',
} as const;

const INTRO = {
  backup: (date: string, databases: string) => `The backup run of ${date} failed for: ${databases}.`,
  verify: (date: string, databases: string) =>
    `The check of ${date}'s backups found a problem with: ${databases}.`,
  restore: (date: string, databases: string) => `The restore of ${date} failed for: ${databases}.`,
  drill: (date: string, databases: string) =>
    `The restore drill of ${date} could not restore and validate the newest backup of: ${databases}.`,
  binlogs: (date: string, databases: string) =>
    `Shipping the binary logs on ${date} left the point-in-time chain of these databases at risk: ${databases}.`,
  chain: (date: string, databases: string) =>
    `The check of ${date} found that these databases cannot be restored to a recent moment: ${databases}.`,
};

/** The alert for a run that failed; null when nothing in it calls for one. */
export function buildAlert(report: RunReport, context: AlertContext): MailMessage | null {
  const failed = report.targets.filter((target) => isAlerting(target.outcome));
  if (failed.length === 0) return null;
  const date = isoDay(report.date);
  const databases = [...new Set(failed.map((target) => target.database))].join(', ');
  const what = HEADLINE[report.kind === 'restore' && report.drill ? 'drill' : report.kind];
  const skipped = report.targets.filter((target) => target.outcome === 'skipped');
  const text = [
    INTRO[report.kind === 'restore' && report.drill ? 'drill' : report.kind](date, databases),
    '',
    `Run id:  ${report.runId}`,
    `Started: ${report.startedAt}`,
    `Ended:   ${report.finishedAt}`,
    '',
    'Each target:',
    ...report.targets.flatMap(describeTarget),
    '',
    skipped.length > 0
      ? `Skipped (not attempted after the failure): ${skipped.map((target) => target.database).join(', ')}.`
      : 'Nothing was skipped.',
    '',
    `Logs of this run: ${logsExplorerUrl(report.runId, context.project)}`,
    '',
  ].join('\n');
  return { from: context.from, to: context.to, subject: `${what}: ${databases} (${date})`, text };
}
