// The first step of a target's restore: its backup chosen, a signed URL made for exactly that object (its
// generation), and the restore handed to the target's agent — or attached to, when the agent is already restoring
// the same object (a Cloud Scheduler retry of the drill).
import { BackupError } from '../../core/errors.js';
import type { RestoreRequestInput } from '../../core/restore-protocol.js';
import { passedRefusal } from '../agent/agent-error.js';
import type { Target } from '../config/schema.js';
import { errorFailure } from '../run/failure.js';
import type { RestoreOutcome, TargetReport } from '../run/report.js';
import type { ObjectInfo } from '../storage/objects.js';
import { updateObject } from '../storage/update-object.js';
import { type ChosenBackup, chooseBackup } from './choose-backup.js';
import { drillSubmitted } from './drill-marks.js';
import { choosePointInTime, drillMoment } from './point-in-time.js';
import type { RestoreRequest } from './request.js';
import { type RestoreContext, restoreFailed, restoreFields } from './restore-context.js';
import type { TrackedRestore } from './restore-outcome.js';

export type Submitted =
  | { kind: 'tracked'; tracked: TrackedRestore }
  | { kind: 'done'; report: TargetReport<RestoreOutcome> };

/** A V4 signed GET URL for the one generation chosen, signed as the function's own service account. */
async function signedUrl(ctx: RestoreContext, info: ObjectInfo): Promise<string> {
  const now = ctx.deps.clock.now();
  const [url] = await ctx.bucket.file(info.name).getSignedUrl({
    version: 'v4',
    action: 'read',
    accessibleAt: now,
    expires: now.getTime() + ctx.config.restoreUrlMinutes * 60_000,
    queryParams: { generation: info.generation },
  });
  return url;
}

/** What the agent checks an object's bytes against. */
const expectedOf = (info: ChosenBackup['info']) => ({
  size: info.size,
  crc32c: info.crc32c,
  md5: info.md5Hash,
});

/** A restore to a moment: its backup, and the logs the agent replays after it, each with a URL of its own. */
async function pointInTime(ctx: RestoreContext, target: Target, at: Date) {
  const chosen = await choosePointInTime(ctx, target, at);
  const logs = [];
  for (const log of chosen.logs) {
    logs.push({
      objectName: log.info.name,
      downloadUrl: await signedUrl(ctx, log.info),
      expected: expectedOf(log.info),
    });
  }
  const replay = {
    database: target.database,
    startPosition: chosen.start.position,
    stopAt: at.toISOString(),
    logs,
  };
  return { backup: chosen.backup, replay };
}

export async function submitRestore(
  ctx: RestoreContext,
  target: Target,
  request: RestoreRequest,
): Promise<Submitted> {
  let backup: ChosenBackup | undefined;
  // A point-in-time database's drill restores to a moment of its own choosing within its logs' reach.
  let at = request.at;
  try {
    if (ctx.drill && target.pointInTime) at = await drillMoment(ctx, target);
    const moment = at && (await pointInTime(ctx, target, at));
    backup = moment ? moment.backup : await chooseBackup(ctx, target, request);
    const chosen = { target, backup, ...(at && { moment: at }) };
    const body: RestoreRequestInput = {
      runId: ctx.runId,
      targetId: target.id,
      objectName: backup.info.name,
      downloadUrl: await signedUrl(ctx, backup.info),
      expected: expectedOf(backup.info),
      keep: request.keep,
      ...(request.scratch && { scratchDatabase: request.scratch }),
      ...(moment && { replay: moment.replay }),
    };
    const submission = await ctx.agent.submitRestore(target.agentUrl, body);
    if (submission.kind === 'busy') {
      const holder = submission.busy;
      if (holder.objectName !== backup.info.name) {
        throw new BackupError(
          'JOB_CONFLICT',
          `${target.id} is still restoring ${holder.objectName} (job ${holder.jobId})`,
        );
      }
      ctx.deps.logger.event(
        'restore.attached',
        `restore ${holder.jobId} of run ${holder.runId} is already reading this object`,
        {
          ...restoreFields(ctx, chosen),
          jobId: holder.jobId,
        },
      );
      return { kind: 'tracked', tracked: { ...chosen, jobId: holder.jobId } };
    }
    const { jobId, scratchDatabase } = submission.accepted;
    ctx.deps.logger.event(
      'restore.submitted',
      `the agent accepted restore ${jobId} into ${scratchDatabase}`,
      {
        ...restoreFields(ctx, chosen),
        jobId,
        generation: backup.info.generation,
      },
    );
    // Recorded at once, so a drill that outlives this run is found and followed up by the next one.
    if (ctx.drill) {
      await updateObject(ctx.bucket, backup.info, {
        metadata: drillSubmitted(jobId, ctx.deps.clock.now()),
      }).catch((error: Error) =>
        ctx.deps.logger.event(
          'restore.mark-failed',
          `could not record drill ${jobId}: ${error.message}`,
          restoreFields(ctx, chosen),
        ),
      );
    }
    return { kind: 'tracked', tracked: { ...chosen, jobId } };
  } catch (error) {
    const refusal = ctx.drill ? undefined : refusalOf(error);
    if (refusal) throw refusal;
    const failed = { target, backup, ...(at && { moment: at }) };
    return { kind: 'done', report: restoreFailed(ctx, failed, errorFailure(error)) };
  }
}

/**
 * What a person asked for on demand that names nothing real — a date no backup has, a generation it does not keep,
 * a scratch database the agent does not allow (its refusal lists those it does) — as the refusal of the request: no
 * run failed, nothing to alert. The drill names none of them, so it never gets here.
 */
function refusalOf(error: unknown): BackupError | undefined {
  // A moment still to come, or one no backup and its logs reach, is refused the same way, saying how far they reach.
  const typed = ['DATE_WITHOUT_BACKUP', 'GENERATION_UNKNOWN', 'PITR_UNREACHABLE', 'REQUEST_INVALID'];
  if (error instanceof BackupError && typed.includes(error.code)) return error;
  return passedRefusal(error, ['SCRATCH_REFUSED']);
}
