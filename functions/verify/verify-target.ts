// The watchdog for one target: is the day's object there and proven ours (and, deep, are its bytes the ones
// recorded)? If not, what does its agent say — settle a job that finished after its run stopped waiting, cancel one
// that is stuck, report what is missing. Then earlier backups without the function's attestation are attested where
// their agent's record still proves them.
import { BackupError } from '../../core/errors.js';
import type { JobStatus } from '../../core/protocol.js';
import { agentErrorFields } from '../agent/agent-error.js';
import { attestEarlier } from '../object/attest-earlier.js';
import { checkedReport, checkObject } from '../object/check-object.js';
import { isVerified, knownFault } from '../object/good-backup.js';
import { proveObject } from '../object/prove-object.js';
import { holdNewest } from '../retention/hold-newest.js';
import { readRetention } from '../retention/metadata.js';
import { errorFailure, jobFailure } from '../run/failure.js';
import { jobAge } from '../run/job-deadline.js';
import type { PlannedTarget } from '../run/plan.js';
import type { TargetDetails, TargetReport, VerifyOutcome } from '../run/report.js';
import { finishTarget } from '../run/run-context.js';
import { getObject, type ObjectInfo } from '../storage/objects.js';
import { deepCheck } from './deep-check.js';
import type { VerifyContext } from './verify-context.js';

type Result = TargetDetails & { outcome: VerifyOutcome };

/** A proven object read whole: the result stands if its bytes are the recorded ones, and fails if not. */
async function readWhole(ctx: VerifyContext, planned: PlannedTarget, info: ObjectInfo, result: Result) {
  const check = await deepCheck(ctx.bucket, info, ctx.deps.clock.now());
  if (check.passed) return { ...result, deepCheck: check };
  const message = `${info.name} (generation ${info.generation}) failed its deep check: ${check.mismatch}. It will not be restored: take a fresh backup with db-backup run --force ${planned.target.database}`;
  return {
    ...result,
    outcome: 'failed' as const,
    deepCheck: check,
    error: { code: 'DEEP_CHECK_FAILED', message },
  };
}

/** An object is there: proven ours (and recorded as checked if no run did it yet), or a failure. */
async function judgeObject(ctx: VerifyContext, planned: PlannedTarget, info: ObjectInfo): Promise<Result> {
  const fault = knownFault(info);
  // A deep check reads an object whose bytes were found wrong again: its verdict replaces the earlier one.
  if (fault && !(ctx.deep && fault.code === 'DEEP_CHECK_FAILED'))
    throw new BackupError(fault.code, fault.message);
  const day = { date: planned.date, timeZone: ctx.config.timeZone };
  const job = await proveObject(ctx.agent, planned.target, info, day);
  const found = { jobId: job.jobId, bytes: info.size, generation: info.generation };
  if (isVerified(info)) {
    const retention = readRetention(info);
    const result: Result = { outcome: 'verified', ...found, ...(retention && { retention }) };
    return ctx.deep ? readWhole(ctx, planned, info, result) : result;
  }
  const checked = await checkObject(
    ctx.bucket,
    ctx.config,
    planned.target,
    planned,
    job,
    ctx.deps.clock.now(),
  );
  const report = checkedReport(checked, job.jobId);
  const result: Result = { outcome: report.error ? 'warning' : 'settled', ...report };
  return ctx.deep ? readWhole(ctx, planned, checked.info, result) : result;
}

/** A job still queued or running: fine until its deadline, cancelled and reported stuck past it. */
async function judgeUnfinished(ctx: VerifyContext, planned: PlannedTarget, job: JobStatus): Promise<Result> {
  const { minutes, limitMinutes, overdue } = jobAge(job, ctx.deps.clock.now());
  const limit = Math.round(limitMinutes);
  if (!overdue) {
    return {
      outcome: 'running',
      jobId: job.jobId,
      ...(job.deadline && { deadline: job.deadline }),
      note: `job ${job.state} for ${Math.round(minutes)} minutes`,
    };
  }
  const message = `job ${job.jobId} has been ${job.state} for ${Math.round(minutes)} minutes (limit ${limit}): cancelled`;
  await ctx.agent.cancel(planned.target.agentUrl, job.jobId).catch((error: Error) =>
    ctx.deps.logger.event('verify.cancel-failed', `could not cancel job ${job.jobId}: ${error.message}`, {
      runId: ctx.runId,
      targetId: planned.target.id,
      jobId: job.jobId,
      ...agentErrorFields(error),
    }),
  );
  return { outcome: 'stuck', jobId: job.jobId, error: { code: 'JOB_TIMEOUT', message } };
}

async function judge(ctx: VerifyContext, planned: PlannedTarget, info: ObjectInfo | null): Promise<Result> {
  const { target, objectName } = planned;
  if (info) return judgeObject(ctx, planned, info);
  const job = await ctx.agent.find(target.agentUrl, target.id, objectName);
  if (!job) {
    const message = `${objectName} does not exist and the agent knows no job that writes it`;
    return { outcome: 'missing', error: { code: 'JOB_UNKNOWN', message } };
  }
  const jobId = job.jobId;
  switch (job.state) {
    case 'queued':
    case 'running':
      return judgeUnfinished(ctx, planned, job);
    case 'skipped':
      return {
        outcome: 'missing',
        jobId,
        error: { code: 'JOB_UNKNOWN', message: `${objectName} was never written: ${job.errorMessage}` },
      };
    case 'interrupted':
      return { outcome: 'interrupted', jobId, error: jobFailure(job) };
    case 'failed':
      return { outcome: 'failed', jobId, error: jobFailure(job) };
    case 'succeeded':
      return {
        outcome: 'failed',
        jobId,
        error: {
          code: 'CHECK_MISMATCH',
          message: `job ${jobId} reported success but ${objectName} does not exist`,
        },
      };
  }
}

/**
 * Keeps the target's newest good copy alive while no newer one exists. A failure here is alerting on its own: the
 * copy it was meant to keep may now expire.
 */
async function keepNewest(ctx: VerifyContext, planned: PlannedTarget): Promise<Result['newestKept']> {
  const { target } = planned;
  const fields = { runId: ctx.runId, targetId: target.id, database: target.database };
  try {
    const kept = await holdNewest(ctx.bucket, ctx.config, target, ctx.deps.clock.now());
    if (kept) {
      ctx.deps.logger.event(
        'retention.held',
        `${kept.objectName} is ${target.database}'s newest good backup: kept until ${kept.keptUntil}`,
        { ...fields, object: kept.objectName, keptUntil: kept.keptUntil },
      );
    }
    return kept;
  } catch (error) {
    ctx.deps.logger.event(
      'retention.hold-failed',
      `could not keep ${target.database}'s newest good backup: ${(error as Error).message}`,
      { ...fields, errorCode: errorFailure(error).code },
    );
    return undefined;
  }
}

export async function verifyTarget(
  ctx: VerifyContext,
  planned: PlannedTarget,
): Promise<TargetReport<VerifyOutcome>> {
  const { target, objectName } = planned;
  let info: ObjectInfo | null = null;
  let result: Result;
  try {
    info = await getObject(ctx.bucket, objectName);
    result = await judge(ctx, planned, info);
  } catch (error) {
    // Without an object the backup is missing, whatever stopped the agent from saying why.
    result = { outcome: info ? 'failed' : 'missing', error: errorFailure(error) };
  }
  const { outcome, ...details } = result;
  const summary = result.error ? `: ${result.error.message}` : '';
  const report = finishTarget(
    ctx,
    'verify',
    planned,
    outcome,
    `${objectName} ${outcome}${summary}`,
    details,
    {
      deepCheck: result.deepCheck && (result.deepCheck.passed ? 'passed' : 'failed'),
    },
  );
  // Before the newest good copy is held: a backup attested now may be it.
  await attestEarlier(ctx, target);
  const newestKept = await keepNewest(ctx, planned);
  return newestKept ? { ...report, newestKept } : report;
}
