// The end of a target's backup, from its job's last status: checked and recorded, exists after a lost race,
// failed, skipped, or still running and left to the watchdog.
import type { JobStatus } from '../../core/protocol.js';
import { settleObject } from '../object/check-object.js';
import { errorFailure, jobFailure } from '../run/failure.js';
import type { BackupOutcome, TargetReport } from '../run/report.js';
import { getObject } from '../storage/objects.js';
import type { Awaited } from './await-jobs.js';
import { existingOutcome } from './existing-object.js';
import { failed, finish, type RunContext } from './run-context.js';
import type { TrackedJob } from './submit-runs.js';

async function settleSucceeded(ctx: RunContext, tracked: TrackedJob, job: JobStatus) {
  const { planned } = tracked;
  const settled = await settleObject(
    ctx.bucket,
    ctx.config,
    planned.target,
    planned,
    job,
    ctx.deps.clock.now(),
  );
  const extra = {
    jobId: job.jobId,
    bytes: settled.info.size,
    bytesRead: job.bytesRead,
    generation: settled.info.generation,
    ...(settled.retention && { retention: settled.retention }),
  };
  if (settled.warning) {
    return finish(
      ctx,
      planned,
      'warning',
      `backup of ${planned.target.database} looks wrong: ${settled.warning}`,
      {
        ...extra,
        error: { code: 'BACKUP_SHRANK', message: settled.warning },
      },
    );
  }
  return finish(ctx, planned, 'succeeded', `backup of ${planned.target.database} succeeded`, extra);
}

export async function settleTarget(
  ctx: RunContext,
  tracked: TrackedJob,
  last: Awaited,
): Promise<TargetReport<BackupOutcome>> {
  const { planned, jobId } = tracked;
  try {
    if (last instanceof Error) return failed(ctx, planned, errorFailure(last), jobId);
    switch (last?.state) {
      case 'succeeded':
        return await settleSucceeded(ctx, tracked, last);
      case 'skipped':
        return finish(ctx, planned, 'skipped', last.errorMessage ?? 'skipped', { jobId });
      case 'failed':
      case 'interrupted': {
        // Another run made the object while this one dumped: the same backup, not a failure, once proven.
        const raced =
          last.errorCode === 'OBJECT_EXISTS' ? await getObject(ctx.bucket, planned.objectName) : null;
        if (raced) return await existingOutcome(ctx, planned, raced);
        return failed(ctx, planned, jobFailure(last), jobId);
      }
      default: {
        const state = last?.state ?? 'not yet seen';
        return finish(
          ctx,
          planned,
          'running',
          `job ${jobId} is ${state} at the end of the run's budget: the watchdog settles it`,
          {
            jobId,
            note: `${state} when the budget was spent; verify will settle it`,
          },
        );
      }
    }
  } catch (error) {
    return failed(ctx, planned, errorFailure(error), jobId);
  }
}
