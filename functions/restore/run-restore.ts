// A whole restore run — one database on demand, or every target in the weekly drill: earlier drills followed up,
// each backup chosen and handed to its agent, the restores awaited within the budget and their outcomes reported;
// then a summary, a log line and one alert if anything failed.
import { randomUUID } from 'node:crypto';
import { parseObjectName } from '../../core/object-name.js';
import { mapInOrder } from '../../core/pool.js';
import type { FunctionConfig } from '../config/schema.js';
import type { ScheduledExecution } from '../http/scheduled-execution.js';
import { awaitJobs } from '../run/await-jobs.js';
import type { FunctionDeps } from '../run/deps.js';
import { selectTargets } from '../run/plan.js';
import type { RestoreOutcome, RunReport, TargetReport } from '../run/report.js';
import { startRun } from '../run/run-context.js';
import { closeRestoreRun } from './close-run.js';
import { collectEarlierDrills } from './earlier-drills.js';
import type { RestoreRequest } from './request.js';
import type { RestoreContext } from './restore-context.js';
import { watchRestores } from './restore-outcome.js';
import { submitRestore } from './submit-restore.js';

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
  const targets = selectTargets(config, request.databases);
  const what = request.drill ? 'restore drill' : 'restore';
  deps.logger.event('restore.started', `${what} of ${targets.length} target(s) started`, {
    runId,
    drill: request.drill,
    targets: targets.length,
    ...execution,
  });
  const ctx: RestoreContext = { ...startRun(config, deps, runId, startedAt), drill: request.drill };
  // A drill's submission marks the objects earlier drills are recorded on: those are followed up first. An on-demand
  // restore marks nothing, and may be refused (submitRestore): it goes first, so a refusal leaves them to the next run.
  const earlier = request.drill ? await collectEarlierDrills(ctx, targets) : [];
  const submitted = await mapInOrder(targets, SUBMIT_CONCURRENCY, (target) =>
    submitRestore(ctx, target, request),
  );
  if (!request.drill) earlier.push(...(await collectEarlierDrills(ctx, targets)));
  const tracked = submitted.flatMap((step) => (step.kind === 'tracked' ? [step.tracked] : []));
  const outcomes = await awaitJobs(ctx, tracked, watchRestores(ctx));
  const reports: TargetReport<RestoreOutcome>[] = [...earlier];
  for (const step of submitted) {
    reports.push(
      step.kind === 'done' ? step.report : (outcomes.get(step.tracked) as TargetReport<RestoreOutcome>),
    );
  }
  // An on-demand restore's report and alert are about the backup it read, not today's.
  const read = request.drill ? undefined : reports.at(-1)?.objectName;
  const backupDay = read ? parseObjectName(read, { prefix: config.prefix })?.date : undefined;
  return closeRestoreRun(ctx, reports, execution, backupDay);
}
