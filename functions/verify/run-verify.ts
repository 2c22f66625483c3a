// A whole watchdog run: every target's day's object checked or settled, a summary, a log line, one alert.
import { backupDate } from '../../core/object-name.js';
import { agentClientFor } from '../agent/agent-client.js';
import type { ScheduledExecution } from '../alerts/schedule.js';
import { sendRunAlert } from '../alerts/send-alert.js';
import type { FunctionConfig } from '../config/schema.js';
import { type FunctionDeps, runIdOf } from '../deps.js';
import { planRun } from '../plan.js';
import { mapInOrder } from '../pool.js';
import { type RunReport, summarise, type VerifyOutcome } from '../report.js';
import type { VerifyRequest } from './request.js';
import { type VerifyContext, verifyTarget } from './verify-target.js';

export async function runVerify(
  config: FunctionConfig,
  deps: FunctionDeps,
  request: VerifyRequest,
  /** The Cloud Scheduler execution this attempt belongs to; undefined for an on-demand run. */
  execution?: ScheduledExecution,
): Promise<RunReport<VerifyOutcome>> {
  const startedAt = deps.clock.now();
  const day = request.day ?? startedAt;
  const runId = runIdOf(deps);
  const plan = planRun(config, request, day);
  deps.logger.log(
    'INFO',
    'verify.started',
    `checking ${plan.length} backup(s) of ${backupDate(day, config.timeZone)}`,
    { runId, ...execution },
  );
  const ctx: VerifyContext = {
    config,
    deps,
    bucket: deps.storage.bucket(config.bucket),
    agent: agentClientFor(config, deps),
    runId,
  };
  const targets = await mapInOrder(plan, config.concurrency, (planned) => verifyTarget(ctx, planned));
  const finishedAt = deps.clock.now();
  const report = summarise({
    kind: 'verify',
    runId,
    date: backupDate(day, config.timeZone),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    targets,
  });
  deps.logger.log(
    report.status === 'failed' ? 'ERROR' : 'INFO',
    'verify.finished',
    `check ${report.status === 'failed' ? 'found problems' : 'passed'}: ${JSON.stringify(report.counts)}`,
    { runId, counts: report.counts, durationMs: finishedAt.getTime() - startedAt.getTime() },
  );
  await sendRunAlert(report, config, deps, execution);
  return report;
}
