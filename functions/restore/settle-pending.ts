// Drills an earlier run left running (its budget ended first), settled by the next restore run and by every `verify`:
// each object still marked with a running drill is looked up on its agent. One that ended is recorded and reported,
// so a failed one is alerted; one running past the job time-out is cancelled and reported stuck; one its agent no
// longer knows is reported as such. One still within the time-out is left to run.
import { BackupError } from '../../core/errors.js';
import { isFinal } from '../../core/protocol.js';
import type { RestoreStatus } from '../../core/restore-protocol.js';
import type { Target } from '../config/schema.js';
import { minutesGoing } from '../job-age.js';
import type { RestoreOutcome, TargetReport } from '../report.js';
import type { ObjectInfo } from '../storage/objects.js';
import { listTargetBackups } from '../storage/target-backups.js';
import { updateObject } from '../storage/update-object.js';
import { drillSettled, pendingDrill } from './drill-marks.js';
import type { RestoreContext } from './restore-context.js';
import { settleRestore } from './settle-restore.js';

/**
 * How a pending drill ended: its agent's final status; an error recorded on the object (a drill its agent forgot,
 * or one stuck and cancelled); or undefined while it may still run.
 */
async function endOf(
  ctx: RestoreContext,
  target: Target,
  info: ObjectInfo,
  jobId: string,
): Promise<RestoreStatus | BackupError | undefined> {
  const status = await ctx.agent.restore(target.agentUrl, jobId);
  if (status && isFinal(status.state)) return status;
  let error: BackupError;
  if (!status) {
    // The agent forgot it (pruned, or another agent now): the drill proved nothing, and says so.
    error = new BackupError('JOB_UNKNOWN', `the agent knows no drill ${jobId} of ${info.name}`);
  } else {
    const minutes = minutesGoing(status, ctx.deps.clock.now());
    const limit = ctx.config.jobTimeoutMinutes;
    if (minutes <= limit) return undefined;
    const going = `${status.state} for ${Math.round(minutes)} minutes (limit ${limit})`;
    error = new BackupError('JOB_TIMEOUT', `drill ${jobId} of ${info.name} is stuck, ${going}: cancelled`);
    await ctx.agent.cancelRestore(target.agentUrl, jobId).catch((cause: Error) =>
      ctx.deps.logger.event('restore.cancel-failed', `could not cancel drill ${jobId}: ${cause.message}`, {
        runId: ctx.runId,
        targetId: target.id,
        jobId,
      }),
    );
  }
  const failed = { state: 'failed' as const, errorCode: error.code, errorMessage: error.message };
  await updateObject(ctx.bucket, info, { metadata: drillSettled(failed, ctx.deps.clock.now()) });
  return error;
}

export async function settlePendingDrills(
  ctx: RestoreContext,
  targets: readonly Target[],
): Promise<TargetReport<RestoreOutcome>[]> {
  const reports: TargetReport<RestoreOutcome>[] = [];
  const drillCtx = { ...ctx, drill: true };
  for (const target of targets) {
    try {
      for (const { info, date } of await listTargetBackups(ctx.bucket, ctx.config.prefix, target)) {
        const jobId = pendingDrill(info);
        if (!jobId || !info.crc32c || !info.md5Hash) continue;
        const last = await endOf(ctx, target, info, jobId);
        if (!last) continue;
        const backup = { info: { ...info, crc32c: info.crc32c, md5Hash: info.md5Hash }, date };
        const report = await settleRestore(
          drillCtx,
          { planned: { target, objectName: info.name, date }, backup, jobId },
          last,
        );
        reports.push({
          ...report,
          note: `a drill of an earlier run, ended since${report.note ? `; ${report.note}` : ''}`,
        });
      }
    } catch (error) {
      ctx.deps.logger.event(
        'restore.poll-failed',
        `could not look for earlier drills of ${target.id}: ${(error as Error).message}`,
        {
          runId: ctx.runId,
          targetId: target.id,
        },
      );
    }
  }
  return reports;
}
