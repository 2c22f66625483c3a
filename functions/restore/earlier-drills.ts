// Drills an earlier run left running (its budget ended first), followed up by the next restore run and by every
// `verify`: each proven backup still marked with a running drill is looked up on its agent. One that ended is
// recorded and reported, so a failed one is alerted; one running past its deadline is cancelled and reported stuck;
// one its agent no longer knows, or whose answer is about another object, is reported as such; one whose agent has
// given no readable answer for the agent's default job limit since it was handed over failed (AGENT_UNREACHABLE).
// One still within its time is left.
import { BackupError } from '../../core/errors.js';
import { DEFAULT_MAX_DURATION_MINUTES } from '../../core/job-deadline.js';
import { isFinal } from '../../core/protocol.js';
import type { RestoreStatus } from '../../core/restore-protocol.js';
import { AgentError, agentErrorFields } from '../agent/agent-error.js';
import type { Target } from '../config/schema.js';
import { listProvenBackups } from '../object/proven-backups.js';
import { jobAge } from '../run/job-deadline.js';
import type { RestoreOutcome, TargetReport } from '../run/report.js';
import type { ObjectInfo } from '../storage/objects.js';
import { updateObject } from '../storage/update-object.js';
import { drillEnded, minutesSinceSubmitted, pendingDrill } from './drill-marks.js';
import type { RestoreContext } from './restore-context.js';
import { restoreOutcome } from './restore-outcome.js';

/**
 * JOB_UNKNOWN when the agent's status of `jobId` is about another object or target than the drill's: a job id on a
 * mark (which anyone who may write metadata can plant) never lets another job's answer end a drill.
 */
function answerMismatch(status: RestoreStatus, jobId: string, target: Target, info: ObjectInfo) {
  if (status.objectName === info.name && status.targetId === target.id) return undefined;
  return new BackupError(
    'JOB_UNKNOWN',
    `the agent's restore ${jobId} is of ${status.objectName} for ${status.targetId}, not of ${info.name} for ${target.id}`,
  );
}

/** Records the drill failed on its object, and returns why. */
async function recordFailed(ctx: RestoreContext, info: ObjectInfo, error: BackupError): Promise<BackupError> {
  const failed = { state: 'failed' as const, errorCode: error.code, errorMessage: error.message };
  await updateObject(ctx.bucket, info, { metadata: drillEnded(failed, ctx.deps.clock.now()) });
  return error;
}

/**
 * The agent's word on the drill, or undefined (logged) while it gives none and the agent's default limit has not
 * passed since the drill was handed over (without a word, the drill's own deadline is not known).
 */
async function askAgent(
  ctx: RestoreContext,
  target: Target,
  info: ObjectInfo,
  jobId: string,
): Promise<RestoreStatus | null | BackupError | undefined> {
  try {
    return await ctx.agent.restore(target.agentUrl, jobId);
  } catch (error) {
    const minutes = minutesSinceSubmitted(info, ctx.deps.clock.now());
    const limit = DEFAULT_MAX_DURATION_MINUTES;
    const why = (error as Error).message;
    if (minutes <= limit) {
      ctx.deps.logger.event('restore.poll-failed', `could not read drill ${jobId} of ${info.name}: ${why}`, {
        runId: ctx.runId,
        targetId: target.id,
        jobId,
        ...agentErrorFields(error),
      });
      return undefined;
    }
    const since = Number.isFinite(minutes)
      ? `in the ${Math.round(minutes)} minutes since it was handed over`
      : 'since it was handed over, at a time not recorded';
    const message = `no readable answer about drill ${jobId} of ${info.name} ${since} (limit ${limit} minutes): ${why}`;
    const context =
      error instanceof AgentError ? error.context : { host: new URL(target.agentUrl).host, jobId };
    return new AgentError('AGENT_UNREACHABLE', message, context, { cause: error });
  }
}

/**
 * How a pending drill ended: its agent's final status; an error recorded on the object (a drill its agent forgot,
 * one about another object, one stuck and cancelled, one with no readable answer); or undefined while it may run.
 */
async function endOf(
  ctx: RestoreContext,
  target: Target,
  info: ObjectInfo,
  jobId: string,
): Promise<RestoreStatus | BackupError | undefined> {
  const status = await askAgent(ctx, target, info, jobId);
  if (status === undefined) return undefined;
  if (status instanceof BackupError) return recordFailed(ctx, info, status);
  if (!status) {
    // The agent forgot it (pruned, or another agent now): the drill proved nothing, and says so.
    return recordFailed(
      ctx,
      info,
      new BackupError('JOB_UNKNOWN', `the agent knows no drill ${jobId} of ${info.name}`),
    );
  }
  const unbound = answerMismatch(status, jobId, target, info);
  if (unbound) return recordFailed(ctx, info, unbound);
  if (isFinal(status.state)) return status;
  const { minutes, limitMinutes, overdue } = jobAge(status, ctx.deps.clock.now());
  if (!overdue) return undefined;
  const going = `${status.state} for ${Math.round(minutes)} minutes (limit ${Math.round(limitMinutes)})`;
  await ctx.agent.cancelRestore(target.agentUrl, jobId).catch((cause: Error) =>
    ctx.deps.logger.event('restore.cancel-failed', `could not cancel drill ${jobId}: ${cause.message}`, {
      runId: ctx.runId,
      targetId: target.id,
      jobId,
      ...agentErrorFields(cause),
    }),
  );
  return recordFailed(
    ctx,
    info,
    new BackupError('JOB_TIMEOUT', `drill ${jobId} of ${info.name} is stuck, ${going}: cancelled`),
  );
}

export async function collectEarlierDrills(
  ctx: RestoreContext,
  targets: readonly Target[],
): Promise<TargetReport<RestoreOutcome>[]> {
  const reports: TargetReport<RestoreOutcome>[] = [];
  const drillCtx = { ...ctx, drill: true };
  for (const target of targets) {
    try {
      // A drill mark on an object that is not proven ours (planted) is no drill of ours.
      const { proven } = await listProvenBackups(ctx.bucket, ctx.config, target, ctx.deps.clock.now());
      for (const { info, date } of proven) {
        const jobId = pendingDrill(info);
        if (!jobId || !info.crc32c || !info.md5Hash) continue;
        const last = await endOf(ctx, target, info, jobId);
        if (!last) continue;
        const backup = { info: { ...info, crc32c: info.crc32c, md5Hash: info.md5Hash }, date };
        const report = await restoreOutcome(drillCtx, { target, backup, jobId }, last);
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
