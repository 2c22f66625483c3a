// A whole watchdog run: every target's day's object checked or settled, a summary, a log line, one alert; then the
// drills left running by earlier restore runs followed up, and the pointInTime databases' chains of binary logs
// judged, each with an alert of its own.
import { randomUUID } from 'node:crypto';
import { backupDate } from '../../core/object-name.js';
import { mapInOrder } from '../../core/pool.js';
import { sendRunAlert } from '../alerts/send-alert.js';
import type { FunctionConfig } from '../config/schema.js';
import type { ScheduledExecution } from '../http/scheduled-execution.js';
import type { FunctionDeps } from '../run/deps.js';
import { planRun } from '../run/plan.js';
import { type RunReport, summarise, type VerifyOutcome } from '../run/report.js';
import { startRun } from '../run/run-context.js';
import { lastScheduledRun } from '../run/schedule-day.js';
import { recordReport } from '../status/record-report.js';
import { refuseDayToCome } from './day-to-come.js';
import type { VerifyRequest } from './request.js';
import { verifyChains } from './verify-chains.js';
import type { VerifyContext } from './verify-context.js';
import { verifyDrills } from './verify-drills.js';
import { verifyTarget } from './verify-target.js';

export async function runVerify(
  config: FunctionConfig,
  deps: FunctionDeps,
  request: VerifyRequest,
  /** The Cloud Scheduler execution this attempt belongs to; undefined for an on-demand run. */
  execution?: ScheduledExecution,
): Promise<RunReport<VerifyOutcome>> {
  const startedAt = deps.clock.now();
  // The latest scheduled backup's day unless the caller names one: at 00:30, last night's 23:30 backup.
  const day = request.day ?? lastScheduledRun(config.schedule, config.timeZone, startedAt);
  const runId = randomUUID();
  const plan = planRun(config, request, day);
  // Only a person types a day (Cloud Scheduler's calls never name one), and a day to come names no backup.
  if (request.day)
    await refuseDayToCome(
      config,
      deps,
      plan.map((planned) => planned.target),
      request.day,
      startedAt,
    );
  deps.logger.event(
    'verify.started',
    `checking ${plan.length} backup(s) of ${backupDate(day, config.timeZone)}${request.deep ? ', reading every byte' : ''}`,
    {
      runId,
      ...execution,
    },
  );
  const ctx: VerifyContext = { ...startRun(config, deps, runId, startedAt), deep: request.deep === true };
  const targets = await mapInOrder(plan, config.concurrency, (planned) => verifyTarget(ctx, planned));
  const finishedAt = deps.clock.now();
  const report = summarise({
    kind: 'verify',
    runId,
    date: backupDate(day, config.timeZone),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    targets,
    ...(request.deep && { deep: true }),
  });
  deps.logger.event(
    report.status === 'ok' ? 'verify.finished' : 'verify.found-problems',
    `check ${report.status === 'ok' ? 'passed' : 'found problems'}: ${JSON.stringify(report.counts)}`,
    { runId, counts: report.counts, durationMs: finishedAt.getTime() - startedAt.getTime() },
  );
  await sendRunAlert(report, config, deps, execution);
  await recordReport(config, deps, report);
  const configured = plan.map((planned) => planned.target);
  const drills = await verifyDrills(ctx, configured, execution);
  const chains = await verifyChains(ctx, configured, report.date, execution);
  return { ...report, ...(drills && { drills }), ...(chains && { chains }) };
}
