// A whole backup run: plan, each target in order (or a few at once), stop on error, summary, log, one alert.
import { backupDate } from '../../core/object-name.js';
import { agentClientFor } from '../agent/agent-client.js';
import type { ScheduledExecution } from '../alerts/schedule.js';
import { sendRunAlert } from '../alerts/send-alert.js';
import type { FunctionConfig } from '../config/schema.js';
import { type FunctionDeps, runIdOf } from '../deps.js';
import { type PlannedTarget, planRun } from '../plan.js';
import { mapInOrder } from '../pool.js';
import { type BackupOutcome, type RunReport, summarise, type TargetReport } from '../report.js';
import { backupTarget, type RunContext } from './backup-target.js';
import type { BackupRequest } from './request.js';

function unstarted(
  planned: PlannedTarget,
  outcome: 'planned' | 'skipped',
  note: string,
): TargetReport<BackupOutcome> {
  const { target, objectName } = planned;
  return { targetId: target.id, database: target.database, engine: target.engine, objectName, outcome, note };
}

export async function runBackup(
  config: FunctionConfig,
  deps: FunctionDeps,
  request: BackupRequest,
  /** The Cloud Scheduler execution this attempt belongs to; undefined for an on-demand run. */
  execution?: ScheduledExecution,
): Promise<RunReport<BackupOutcome>> {
  const startedAt = deps.clock.now();
  const runId = runIdOf(deps);
  const plan = planRun(config, request, startedAt);
  const base = {
    kind: 'backup' as const,
    runId,
    date: backupDate(startedAt, config.timeZone),
    force: request.force,
  };
  const runFields = {
    runId,
    targets: plan.length,
    force: request.force,
    dryRun: request.dryRun,
    ...execution,
  };
  if (request.dryRun) {
    const targets = plan.map((planned) => unstarted(planned, 'planned', 'dry run: nothing was started'));
    const report = summarise({
      ...base,
      dryRun: true,
      startedAt: startedAt.toISOString(),
      finishedAt: startedAt.toISOString(),
      targets,
    });
    deps.logger.log('INFO', 'run.planned', `dry run: ${plan.length} target(s) would be backed up`, runFields);
    return report;
  }

  deps.logger.log('INFO', 'run.started', `backup run of ${plan.length} target(s) started`, runFields);
  const ctx: RunContext = {
    config,
    deps,
    bucket: deps.storage.bucket(config.bucket),
    agent: agentClientFor(config, deps),
    runId,
    force: request.force,
    deadline: startedAt.getTime() + config.pollBudgetSeconds * 1000,
  };
  let failedFirst: PlannedTarget | undefined;
  const targets = await mapInOrder(plan, config.concurrency, async (planned) => {
    if (failedFirst) {
      const note = `skipped after ${failedFirst.target.database} failed (onError: stop)`;
      const { id: targetId, database } = planned.target;
      deps.logger.log('WARNING', 'backup.skipped', note, { runId, targetId, database });
      return unstarted(planned, 'skipped', note);
    }
    const result = await backupTarget(ctx, planned);
    if (result.outcome === 'failed' && config.onError === 'stop') failedFirst ??= planned;
    return result;
  });

  const finishedAt = deps.clock.now();
  const report = summarise({
    ...base,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    targets,
  });
  deps.logger.log(
    report.status === 'failed' ? 'ERROR' : 'INFO',
    'run.finished',
    `backup run ${report.status === 'failed' ? 'failed' : 'finished'}: ${JSON.stringify(report.counts)}`,
    { runId, counts: report.counts, durationMs: finishedAt.getTime() - startedAt.getTime() },
  );
  await sendRunAlert(report, config, deps, execution);
  return report;
}
