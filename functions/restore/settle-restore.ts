// The end of a target's restore, from its agent's last word: restored and validated, failed (with the tool's own
// words and what the validation found), or still running at the end of the budget; a drill's end is recorded on
// the object.
import type { RestoreStatus } from '../../core/restore-protocol.js';
import { errorFailure } from '../run/failure.js';
import type { RestoreDetails, RestoreOutcome, TargetReport } from '../run/report.js';
import { updateObject } from '../storage/update-object.js';
import type { AwaitedRestore } from './await-restores.js';
import { drillSettled } from './drill-marks.js';
import { finishRestore, type RestoreContext, restoreFailed, restoreFields } from './restore-context.js';
import type { TrackedRestore } from './submit-restore.js';

function restoreDetails(status: RestoreStatus): RestoreDetails {
  const {
    scratchDatabase,
    scratch,
    keep,
    bytesDownloaded,
    bytesRestored,
    durationMs,
    tables,
    checks,
    state,
    step,
  } = status;
  return {
    scratchDatabase,
    scratch,
    keep,
    bytesDownloaded,
    bytesRestored,
    ...(durationMs !== undefined && { durationMs }),
    tables,
    checks,
    state,
    ...(step && { step }),
  };
}

/** Records a drill's end on the object it read; a failure to record is logged, never the drill's outcome. */
async function markDrill(ctx: RestoreContext, tracked: TrackedRestore, status: RestoreStatus): Promise<void> {
  if (
    !ctx.drill ||
    (status.state !== 'succeeded' && status.state !== 'failed' && status.state !== 'interrupted')
  )
    return;
  await updateObject(ctx.bucket, tracked.backup.info, {
    metadata: drillSettled(status, ctx.deps.clock.now()),
  }).catch((error: Error) =>
    ctx.deps.logger.event('restore.mark-failed', `could not record the drill's end: ${error.message}`, {
      ...restoreFields(ctx, tracked.planned),
      jobId: status.jobId,
    }),
  );
}

export async function settleRestore(
  ctx: RestoreContext,
  tracked: TrackedRestore,
  last: AwaitedRestore,
): Promise<TargetReport<RestoreOutcome>> {
  const { planned, backup, jobId } = tracked;
  const found = { jobId, bytes: backup.info.size, generation: backup.info.generation };
  if (last instanceof Error) return restoreFailed(ctx, planned, errorFailure(last), found);
  if (
    last === null ||
    (last.state !== 'succeeded' && last.state !== 'failed' && last.state !== 'interrupted')
  ) {
    const state = last?.state ?? 'not yet seen';
    return finishRestore(
      ctx,
      planned,
      'running',
      `restore ${jobId} is ${state} at the end of the run's budget`,
      {
        ...found,
        ...(last && { restore: restoreDetails(last) }),
        note: `${state} when the budget was spent; the agent logs its end, and the next restore run records it`,
      },
    );
  }
  await markDrill(ctx, tracked, last);
  const extra = { ...found, restore: restoreDetails(last) };
  if (last.state === 'succeeded') {
    const recovery = last.durationMs === undefined ? '' : ` in ${(last.durationMs / 1000).toFixed(1)} s`;
    return finishRestore(
      ctx,
      planned,
      'restored',
      `${backup.info.name} restored into ${last.scratchDatabase} and validated${recovery}`,
      extra,
    );
  }
  return restoreFailed(
    ctx,
    planned,
    {
      code: last.errorCode ?? (last.state === 'interrupted' ? 'JOB_INTERRUPTED' : 'RESTORE_FAILED'),
      message: last.errorMessage ?? `the restore ended ${last.state}`,
      stderrTail: last.stderrTail,
    },
    extra,
  );
}
