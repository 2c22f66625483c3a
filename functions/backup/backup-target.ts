// One target of a backup run: session, signed job, poll, check, record — every step logged, nothing thrown.
import type { Bucket } from '@google-cloud/storage';
import { BackupError } from '../../core/errors.js';
import type { JobStatus } from '../../core/protocol.js';
import { cancelUploadSession } from '../../core/upload-session.js';
import type { AgentClient } from '../agent/agent-client.js';
import { pollJob } from '../agent/poll-job.js';
import type { FunctionConfig } from '../config/schema.js';
import type { FunctionDeps } from '../deps.js';
import { errorFailure, type FailureInfo, jobFailure } from '../job-failure.js';
import type { LogFields } from '../logging/logger.js';
import type { PlannedTarget } from '../plan.js';
import type { BackupOutcome, TargetReport } from '../report.js';
import { checkFailure, settleObject } from '../settle-object.js';
import { getObject, openSession } from '../storage/objects.js';

export interface RunContext {
  config: FunctionConfig;
  deps: FunctionDeps;
  bucket: Bucket;
  agent: AgentClient;
  runId: string;
  force: boolean;
  /** Epoch milliseconds: the end of the run's polling budget. */
  deadline: number;
}

const CONTENT_TYPE = { gzip: 'application/gzip', zstd: 'application/zstd' } as const;

export async function backupTarget(
  ctx: RunContext,
  planned: PlannedTarget,
): Promise<TargetReport<BackupOutcome>> {
  const { target, objectName } = planned;
  const { logger, clock } = ctx.deps;
  const started = clock.now().getTime();
  const fields: LogFields = {
    runId: ctx.runId,
    targetId: target.id,
    database: target.database,
    object: objectName,
  };
  const report = (outcome: BackupOutcome, extra: Partial<TargetReport<BackupOutcome>> = {}) => ({
    targetId: target.id,
    database: target.database,
    engine: target.engine,
    objectName,
    outcome,
    durationMs: clock.now().getTime() - started,
    ...extra,
  });
  let sessionUri: string | undefined;
  let jobId: string | undefined;

  const fail = async (error: FailureInfo) => {
    if (sessionUri) {
      await cancelUploadSession(sessionUri, ctx.deps.fetch).catch((cause: Error) =>
        logger.log(
          'WARNING',
          'backup.cancel-failed',
          `could not cancel the upload session: ${cause.message}`,
          fields,
        ),
      );
    }
    const result = report('failed', { ...(jobId && { jobId }), error });
    logger.log('ERROR', 'backup.failed', `backup of ${target.database} failed: ${error.message}`, {
      ...fields,
      jobId,
      errorCode: error.code,
      stderrTail: error.stderrTail,
      durationMs: result.durationMs,
    });
    return result;
  };

  logger.log('INFO', 'backup.started', `backup of ${target.database} started`, {
    ...fields,
    force: ctx.force,
  });
  try {
    const existing = await getObject(ctx.bucket, objectName);
    const session =
      existing && !ctx.force
        ? ({ kind: 'exists' } as const)
        : await openSession(ctx.bucket, objectName, {
            force: ctx.force,
            contentType: CONTENT_TYPE[target.compression.algorithm],
            metadata: {
              runId: ctx.runId,
              targetId: target.id,
              database: target.database,
              engine: target.engine,
            },
          });
    const failedCheck = existing && !ctx.force ? checkFailure(existing) : undefined;
    if (failedCheck) {
      // A same-day rerun must not report a doubtful object as a good `exists`.
      throw new BackupError(
        'CHECK_MISMATCH',
        `${objectName} failed its check (${failedCheck}): replace it with force=true`,
      );
    }
    if (session.kind === 'exists') {
      logger.log('INFO', 'backup.exists', `${objectName} already exists: not overwritten`, fields);
      return report('exists', existing ? { generation: existing.generation } : {});
    }
    sessionUri = session.uri;
    jobId = await ctx.agent.submit(target.agentUrl, {
      runId: ctx.runId,
      targetId: target.id,
      objectName,
      uploadUri: session.uri,
      compression: target.compression,
    });
    logger.log('INFO', 'backup.submitted', `the agent accepted job ${jobId}`, { ...fields, jobId });
    const job: JobStatus | null = await pollJob(ctx.agent, target.agentUrl, jobId, {
      clock,
      deadline: ctx.deadline,
      intervalMs: ctx.config.pollIntervalSeconds * 1000,
      onUnreachable: (error) =>
        logger.log('WARNING', 'backup.poll-failed', error.message, { ...fields, jobId }),
    });
    if (!job) {
      logger.log(
        'NOTICE',
        'backup.running',
        `job ${jobId} outlived the run's budget: the watchdog settles it`,
        {
          ...fields,
          jobId,
        },
      );
      return report('running', {
        jobId,
        note: 'still running when the budget was spent; verify will settle it',
      });
    }
    if (job.state !== 'succeeded') return await fail(jobFailure(job));
    // The agent finalised the upload: the session is spent and there is nothing left to cancel.
    sessionUri = undefined;
    const info = await settleObject(ctx.bucket, target, objectName, job, clock.now());
    const result = report('succeeded', { jobId, bytes: info.size, generation: info.generation });
    logger.log('INFO', 'backup.succeeded', `backup of ${target.database} succeeded`, {
      ...fields,
      jobId,
      bytes: info.size,
      bytesRead: job.bytesRead,
      durationMs: result.durationMs,
      generation: info.generation,
    });
    return result;
  } catch (error) {
    return await fail(errorFailure(error));
  }
}
