// A whole shipping run, on its own schedule: every pointInTime target's closed binary logs shipped, a summary, a log
// line and one alert (once per scheduled execution) when a log was not shipped or was lost.
import { randomUUID } from 'node:crypto';
import { backupDate } from '../../core/object-name.js';
import { mapInOrder } from '../../core/pool.js';
import { sendRunAlert } from '../alerts/send-alert.js';
import type { FunctionConfig } from '../config/schema.js';
import type { ScheduledExecution } from '../http/scheduled-execution.js';
import type { FunctionDeps } from '../run/deps.js';
import { selectTargets } from '../run/plan.js';
import { type BinlogOutcome, type RunReport, summarise } from '../run/report.js';
import { startRun } from '../run/run-context.js';
import type { BinlogsRequest } from './request.js';
import { shipTarget } from './ship-target.js';

export async function runBinlogs(
  config: FunctionConfig,
  deps: FunctionDeps,
  request: BinlogsRequest,
  /** The Cloud Scheduler execution this attempt belongs to; undefined for an on-demand run. */
  execution?: ScheduledExecution,
): Promise<RunReport<BinlogOutcome>> {
  const startedAt = deps.clock.now();
  const runId = randomUUID();
  const targets = selectTargets(config, request.databases).filter((target) => target.pointInTime);
  deps.logger.event('binlogs.started', `shipping the binary logs of ${targets.length} database(s)`, {
    runId,
    ...execution,
  });
  const ctx = startRun(config, deps, runId, startedAt);
  const reports = await mapInOrder(targets, config.concurrency, (target) => shipTarget(ctx, target));
  const finishedAt = deps.clock.now();
  const report = summarise({
    kind: 'binlogs',
    runId,
    date: backupDate(startedAt, config.timeZone),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    targets: reports,
  });
  deps.logger.event(
    report.status === 'ok' ? 'binlogs.finished' : 'binlogs.found-problems',
    `binary-log shipping ${report.status === 'ok' ? 'finished' : 'found problems'}: ${JSON.stringify(report.counts)}`,
    { runId, counts: report.counts, durationMs: finishedAt.getTime() - startedAt.getTime() },
  );
  await sendRunAlert(report, config, deps, execution);
  return report;
}
