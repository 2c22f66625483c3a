// A whole restore run — one database on demand, or every target in the weekly drill: earlier drills settled, each
// backup chosen and handed to its agent, the restores awaited within the budget and settled; then a summary, a log
// line and one alert if anything failed.
import { randomUUID } from 'node:crypto';
import { mapInOrder } from '../../core/pool.js';
import type { FunctionConfig } from '../config/schema.js';
import type { ScheduledExecution } from '../http/scheduled-execution.js';
import type { FunctionDeps } from '../run/deps.js';
import { planRun } from '../run/plan.js';
import type { RestoreOutcome, RunReport, TargetReport } from '../run/report.js';
import { awaitRestores } from './await-restores.js';
import { closeRestoreRun } from './close-run.js';
import type { RestoreRequest } from './request.js';
import type { RestoreContext } from './restore-context.js';
import { settlePendingDrills } from './settle-pending.js';
import { settleRestore } from './settle-restore.js';
import { type Submitted, submitRestore } from './submit-restore.js';

/** Backups are chosen and signed a few at a time: listings and signatures, not a restore's worth of work. */
const SUBMIT_CONCURRENCY = 4;

export async function runRestore(
  config: FunctionConfig,
  deps: FunctionDeps,
  request: RestoreRequest,
  /** The Cloud Scheduler execution this attempt belongs to; undefined for an on-demand run. */
  execution?: ScheduledExecution,
): Promise<RunReport<RestoreOutcome>> {
  const startedAt = deps.clock.now();
  const runId = randomUUID();
  const targets = planRun(config, request, startedAt).map((planned) => planned.target);
  const what = request.drill ? 'restore drill' : 'restore';
  deps.logger.event('restore.started', `${what} of ${targets.length} target(s) started`, {
    runId,
    drill: request.drill,
    targets: targets.length,
    ...execution,
  });
  const ctx: RestoreContext = {
    config,
    deps,
    bucket: deps.storage.bucket(config.bucket),
    agent: deps.agent,
    runId,
    drill: request.drill,
    deadline: startedAt.getTime() + config.pollBudgetSeconds * 1000,
    startedAt: startedAt.getTime(),
  };
  const earlier = await settlePendingDrills(ctx, targets);
  const submitted = await mapInOrder(targets, SUBMIT_CONCURRENCY, (target) =>
    submitRestore(ctx, target, request),
  );
  const tracked = submitted.flatMap((step) => (step.kind === 'tracked' ? [step.tracked] : []));
  const last = await awaitRestores(ctx, tracked);
  const reports: TargetReport<RestoreOutcome>[] = [...earlier];
  for (const step of submitted as Submitted[]) {
    reports.push(
      step.kind === 'done'
        ? step.report
        : await settleRestore(ctx, step.tracked, last.get(step.tracked) ?? null),
    );
  }
  return closeRestoreRun(ctx, reports, execution);
}
