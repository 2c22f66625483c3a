// The end of a restore run — on demand, the weekly drill, or the drills `verify` follows up each morning: one summary,
// one log line, and one alert if anything failed.
import { backupDate } from '../../core/object-name.js';
import { sendRunAlert } from '../alerts/send-alert.js';
import type { ScheduledExecution } from '../http/scheduled-execution.js';
import { type RestoreOutcome, type RunReport, summarise, type TargetReport } from '../run/report.js';
import { recordReport } from '../status/record-report.js';
import type { RestoreContext } from './restore-context.js';

export async function closeRestoreRun(
  ctx: RestoreContext,
  reports: TargetReport<RestoreOutcome>[],
  execution?: ScheduledExecution,
  /** The backup's date an on-demand restore read (yyyyMMdd), which its report and alert are about; the run's by default. */
  backupDay?: string,
): Promise<RunReport<RestoreOutcome>> {
  const { config, deps, runId, drill } = ctx;
  const what = drill ? 'restore drill' : 'restore';
  const finishedAt = deps.clock.now();
  const report = summarise<RestoreOutcome>({
    kind: 'restore',
    runId,
    date: backupDay ?? backupDate(new Date(ctx.startedAt), config.timeZone),
    startedAt: new Date(ctx.startedAt).toISOString(),
    finishedAt: finishedAt.toISOString(),
    drill,
    targets: reports,
  });
  deps.logger.event(
    report.status === 'failed' ? 'restore.found-problems' : 'restore.finished',
    `${what} ${report.status === 'failed' ? 'failed' : 'finished'}: ${JSON.stringify(report.counts)}`,
    { runId, drill, counts: report.counts, durationMs: finishedAt.getTime() - ctx.startedAt },
  );
  await sendRunAlert(report, config, deps, execution);
  await recordReport(config, deps, report);
  return report;
}
