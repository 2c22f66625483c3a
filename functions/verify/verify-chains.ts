// The morning's look at point-in-time recovery: for each pointInTime database, the chain of attested logs from its
// newest checked backup must be whole (no gap, same server, numbers not started over) and reach within the
// recovery-point target; a broken or stale chain is reported and alerted apart from the backups, saying what to do.

import { sendRunAlert } from '../alerts/send-alert.js';
import { type ChainState, chainState } from '../binlog/chain-state.js';
import type { Target } from '../config/schema.js';
import type { ScheduledExecution } from '../http/scheduled-execution.js';
import { errorFailure } from '../run/failure.js';
import { type ChainOutcome, type RunReport, summarise, type TargetReport } from '../run/report.js';
import { finishTarget } from '../run/run-context.js';
import type { VerifyContext } from './verify-context.js';

async function verifyChain(ctx: VerifyContext, target: Target): Promise<TargetReport<ChainOutcome> | null> {
  let state: ChainState | null;
  try {
    state = await chainState(ctx.bucket, ctx.config, target, ctx.deps.clock.now());
  } catch (error) {
    const failure = errorFailure(error);
    const planned = { target, objectName: '' };
    return finishTarget(
      ctx,
      'chain',
      planned,
      'broken',
      `${target.database}'s chain could not be read: ${failure.message}`,
      { error: failure },
    );
  }
  // No checked backup yet: the backup's own check says so.
  if (!state) return null;
  const planned = { target, objectName: state.backup };
  if (state.problem) {
    const details = { chain: state, error: state.problem };
    return finishTarget(
      ctx,
      'chain',
      planned,
      'broken',
      `${target.database}: ${state.problem.message}`,
      details,
    );
  }
  const message = `${target.database} can be restored to ${state.reachesTo} (${state.lagMinutes} minutes ago)`;
  return finishTarget(
    ctx,
    'chain',
    planned,
    'unbroken',
    message,
    { chain: state },
    { lagMinutes: state.lagMinutes },
  );
}

/** The chains of `targets`' pointInTime databases, as a report of their own (alerted when one is broken). */
export async function verifyChains(
  ctx: VerifyContext,
  targets: readonly Target[],
  /** The day the verify run checks, yyyyMMdd: the alert's date. */
  date: string,
  execution?: ScheduledExecution,
): Promise<RunReport<ChainOutcome> | undefined> {
  const reports: TargetReport<ChainOutcome>[] = [];
  for (const target of targets.filter((t) => t.pointInTime)) {
    const report = await verifyChain(ctx, target);
    if (report) reports.push(report);
  }
  if (reports.length === 0) return undefined;
  const report = summarise({
    kind: 'chain',
    runId: ctx.runId,
    date,
    startedAt: new Date(ctx.startedAt).toISOString(),
    finishedAt: ctx.deps.clock.now().toISOString(),
    targets: reports,
  });
  await sendRunAlert(report, ctx.config, ctx.deps, execution);
  return report;
}
