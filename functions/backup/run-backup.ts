// A whole backup run: every target's session opened up front, each agent handed its targets as one ordered run
// (so order, concurrency and stop-on-error hold however long the run takes, whether or not this function is still
// waiting), the jobs awaited within the budget, each one's object checked and its outcome reported; then a summary,
// a log line and one alert.
import { randomUUID } from 'node:crypto';
import { mapInOrder } from '../../core/pool.js';
import { sendRunAlert } from '../alerts/send-alert.js';
import type { FunctionConfig } from '../config/schema.js';
import type { ScheduledExecution } from '../http/scheduled-execution.js';
import { awaitJobs } from '../run/await-jobs.js';
import type { FunctionDeps } from '../run/deps.js';
import { planRun } from '../run/plan.js';
import { type BackupOutcome, type RunReport, summarise, type TargetReport } from '../run/report.js';
import { startRun } from '../run/run-context.js';
import { recordReport } from '../status/record-report.js';
import type { BackupContext } from './backup-context.js';
import { watchBackups } from './backup-outcome.js';
import { dryRunTarget } from './dry-run.js';
import { type Prepared, prepareTarget } from './prepare-target.js';
import type { BackupRequest } from './request.js';
import { submitRuns } from './submit-runs.js';

/** Sessions are opened a few at a time: a handful of metadata calls, not a backup's worth of work. */
const SESSION_CONCURRENCY = 4;

export async function runBackup(
  config: FunctionConfig,
  deps: FunctionDeps,
  request: BackupRequest,
  /** The Cloud Scheduler execution this attempt belongs to; undefined for an on-demand run. */
  execution?: ScheduledExecution,
): Promise<RunReport<BackupOutcome>> {
  const startedAt = deps.clock.now();
  const runId = randomUUID();
  const plan = planRun(config, request, startedAt);
  const base = { kind: 'backup' as const, runId, date: plan[0]?.date ?? '', force: request.force };
  const runFields = {
    runId,
    targets: plan.length,
    force: request.force,
    dryRun: request.dryRun,
    ...execution,
  };
  if (request.dryRun) {
    deps.logger.event('run.planned', `dry run: ${plan.length} target(s) would be backed up`, runFields);
    return summarise({
      ...base,
      dryRun: true,
      startedAt: startedAt.toISOString(),
      finishedAt: startedAt.toISOString(),
      targets: await mapInOrder(plan, SESSION_CONCURRENCY, (planned) =>
        dryRunTarget(config, deps.storage.bucket(config.bucket), planned, startedAt),
      ),
    });
  }

  deps.logger.event('run.started', `backup run of ${plan.length} target(s) started`, runFields);
  const ctx: BackupContext = { ...startRun(config, deps, runId, startedAt), force: request.force };
  const prepared = await mapInOrder(plan, SESSION_CONCURRENCY, (planned) => prepareTarget(ctx, planned));
  const reports = new Map<string, TargetReport<BackupOutcome>>();
  for (const step of prepared) if (step.kind === 'done') reports.set(step.report.targetId, step.report);
  const readies = prepared.filter(
    (step): step is Extract<Prepared, { kind: 'ready' }> => step.kind === 'ready',
  );
  const submitted = await submitRuns(ctx, readies);
  for (const report of submitted.done) reports.set(report.targetId, report);
  const outcomes = await awaitJobs(ctx, submitted.tracked, watchBackups(ctx));
  for (const report of outcomes.values()) reports.set(report.targetId, report);

  const finishedAt = deps.clock.now();
  const report = summarise({
    ...base,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    targets: plan.map((planned) => reports.get(planned.target.id) as TargetReport<BackupOutcome>),
  });
  deps.logger.event(
    report.status === 'failed' ? 'run.failed' : 'run.finished',
    `backup run ${report.status}: ${JSON.stringify(report.counts)}`,
    { runId, counts: report.counts, durationMs: finishedAt.getTime() - startedAt.getTime() },
  );
  await sendRunAlert(report, config, deps, execution);
  await recordReport(config, deps, report);
  return report;
}
