// The end of a target's restore, from its agent's last word: restored and validated, failed (with the tool's own
// words and what the validation found), or still running at the end of the budget; a drill's end is recorded on
// the object. And how a run watches its restores until then (each read on its own).
import { localMoment } from '../../core/local-moment.js';
import { isoDay } from '../../core/object-name.js';
import type { RestoreStatus } from '../../core/restore-protocol.js';
import type { Target } from '../config/schema.js';
import type { JobWatch, LastSeen } from '../run/await-jobs.js';
import { errorFailure } from '../run/failure.js';
import type { RestoreDetails, RestoreOutcome, TargetReport } from '../run/report.js';
import { updateObject } from '../storage/update-object.js';
import type { ChosenBackup } from './choose-backup.js';
import { drillEnded } from './drill-marks.js';
import { finishRestore, type RestoreContext, restoreFailed, restoreFields } from './restore-context.js';

/** A restore the run waits for: its own, or one already running that it attached to. */
export interface TrackedRestore {
  target: Target;
  backup: ChosenBackup;
  jobId: string;
  /** A restore to a moment: the moment. */
  moment?: Date;
}

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
    location,
    replay,
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
    ...(location && { location }),
    ...(replay && { replay }),
  };
}

/** A restore to a moment: the moment it was asked for and the last transaction it applied, as the report says them. */
function reached(status: RestoreStatus, timeZone: string): string {
  const { replay } = status;
  if (!replay) return '';
  const last = replay.lastTransaction;
  const applied = last
    ? `the last transaction applied committed ${localMoment(new Date(last.at), timeZone)} (${last.file} at ${last.endPosition})`
    : 'no transaction of the binary logs fell before it';
  return `to ${localMoment(new Date(replay.stopAt), timeZone)}: ${replay.logsReplayed} binary log(s) replayed; ${applied}`;
}

const ENDED: readonly string[] = ['succeeded', 'failed', 'interrupted'];

/** Records a drill's end on the object it read; a failure to record is logged, never the drill's outcome. */
async function markDrill(ctx: RestoreContext, tracked: TrackedRestore, status: RestoreStatus): Promise<void> {
  if (!ctx.drill || !ENDED.includes(status.state)) return;
  await updateObject(ctx.bucket, tracked.backup.info, {
    metadata: drillEnded(status, ctx.deps.clock.now()),
  }).catch((error: Error) =>
    ctx.deps.logger.event('restore.mark-failed', `could not record the drill's end: ${error.message}`, {
      ...restoreFields(ctx, tracked),
      jobId: status.jobId,
    }),
  );
}

/**
 * What the admin does next, where the agent's words cannot say it: bytes that were not the backup's were either
 * changed in the bucket or on the way, and only reading the stored object back tells which (and marks it if so).
 */
function nextStep(code: string, { target, backup }: TrackedRestore): string {
  if (code !== 'HASH_MISMATCH') return '';
  return `; to learn whether the stored backup itself is wrong, read it back: db-backup verify ${target.database} --date ${isoDay(backup.date)} --deep`;
}

export async function restoreOutcome(
  ctx: RestoreContext,
  tracked: TrackedRestore,
  last: LastSeen<RestoreStatus>,
): Promise<TargetReport<RestoreOutcome>> {
  const { backup, jobId } = tracked;
  const found = { jobId, bytes: backup.info.size, generation: backup.info.generation };
  if (last instanceof Error) return restoreFailed(ctx, tracked, errorFailure(last), found);
  if (last === null || !ENDED.includes(last.state)) {
    const state = last?.state ?? 'not yet seen';
    return finishRestore(
      ctx,
      tracked,
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
    const moment = reached(last, ctx.config.timeZone);
    const message = `${backup.info.name} restored into ${last.scratchDatabase} and validated${recovery}${moment && `, ${moment}`}`;
    return finishRestore(ctx, tracked, 'restored', message, { ...extra, ...(moment && { note: moment }) });
  }
  const code = last.errorCode ?? (last.state === 'interrupted' ? 'JOB_INTERRUPTED' : 'RESTORE_FAILED');
  const failure = {
    code,
    message: (last.errorMessage ?? `the restore ended ${last.state}`) + nextStep(code, tracked),
    stderrTail: last.stderrTail,
  };
  return restoreFailed(ctx, tracked, failure, extra);
}

export function watchRestores(
  ctx: RestoreContext,
): JobWatch<TrackedRestore, RestoreStatus, TargetReport<RestoreOutcome>> {
  return {
    kind: 'restore',
    reads: (open) =>
      open.map((job) => ({
        jobs: [job],
        fields: { jobId: job.jobId },
        async read() {
          const status = await ctx.agent.restore(job.target.agentUrl, job.jobId);
          return () => status;
        },
      })),
    progress: (tracked, { targetId, jobId, state, step, bytesDownloaded, bytesRestored }) => ({
      targetId,
      jobId,
      state,
      ...(step && { step }),
      bytesDownloaded,
      bytesRestored,
      objectBytes: tracked.backup.info.size,
    }),
    outcome: (tracked, last) => restoreOutcome(ctx, tracked, last),
  };
}
