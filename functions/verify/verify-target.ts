// The watchdog for one target: is the day's object there and checked? If not, what does the agent say, and settle.
import type { Bucket } from '@google-cloud/storage';
import type { JobStatus } from '../../core/protocol.js';
import type { AgentClient } from '../agent/agent-client.js';
import type { FunctionConfig } from '../config/schema.js';
import type { FunctionDeps } from '../deps.js';
import { errorFailure, jobFailure } from '../job-failure.js';
import type { Severity } from '../logging/logger.js';
import type { PlannedTarget } from '../plan.js';
import type { TargetReport, VerifyOutcome } from '../report.js';
import { isVerified, settleObject } from '../settle-object.js';
import { getObject, type ObjectInfo } from '../storage/objects.js';

export interface VerifyContext {
  config: FunctionConfig;
  deps: FunctionDeps;
  bucket: Bucket;
  agent: AgentClient;
  runId: string;
}

type Result = Omit<TargetReport<VerifyOutcome>, 'targetId' | 'database' | 'engine' | 'objectName'>;

const SEVERITY: Record<VerifyOutcome, Severity> = {
  verified: 'INFO',
  settled: 'INFO',
  running: 'NOTICE',
  missing: 'ERROR',
  failed: 'ERROR',
  interrupted: 'ERROR',
  stuck: 'ERROR',
};

async function judge(ctx: VerifyContext, planned: PlannedTarget, info: ObjectInfo | null): Promise<Result> {
  const { target, objectName } = planned;
  if (info && isVerified(info)) return { outcome: 'verified', bytes: info.size, generation: info.generation };
  // The run that opened the session named itself in the object's metadata; without an object, the latest job.
  const runId = info?.metadata.runId;
  const found = await ctx.agent.find(target.agentUrl, { targetId: target.id, ...(runId && { runId }) });
  const job: JobStatus | null = found?.objectName === objectName ? found : null;
  if (!job) {
    const message = info
      ? `${objectName} exists unchecked and the agent knows no job that wrote it`
      : `${objectName} does not exist and the agent knows no job that writes it`;
    return { outcome: info ? 'failed' : 'missing', error: { code: 'JOB_UNKNOWN', message } };
  }
  const jobId = job.jobId;
  switch (job.state) {
    case 'succeeded': {
      const settled = await settleObject(ctx.bucket, target, objectName, job, ctx.deps.clock.now());
      return { outcome: 'settled', jobId, bytes: settled.size, generation: settled.generation };
    }
    case 'failed':
      return { outcome: 'failed', jobId, error: jobFailure(job) };
    case 'interrupted':
      return { outcome: 'interrupted', jobId, error: jobFailure(job) };
    default: {
      const since = job.startedAt ? Date.parse(job.startedAt) : undefined;
      const minutes = since === undefined ? 0 : (ctx.deps.clock.now().getTime() - since) / 60_000;
      if (minutes > ctx.config.jobTimeoutMinutes) {
        const message = `job ${jobId} has been ${job.state} for ${Math.round(minutes)} minutes (limit ${ctx.config.jobTimeoutMinutes})`;
        return { outcome: 'stuck', jobId, error: { code: 'BUDGET_SPENT', message } };
      }
      return { outcome: 'running', jobId, note: `job ${job.state} for ${Math.round(minutes)} minutes` };
    }
  }
}

export async function verifyTarget(
  ctx: VerifyContext,
  planned: PlannedTarget,
): Promise<TargetReport<VerifyOutcome>> {
  const { target, objectName } = planned;
  const fields = { runId: ctx.runId, targetId: target.id, database: target.database, object: objectName };
  let info: ObjectInfo | null = null;
  let result: Result;
  try {
    info = await getObject(ctx.bucket, objectName);
    result = await judge(ctx, planned, info);
  } catch (error) {
    result = { outcome: info ? 'failed' : 'missing', error: errorFailure(error) };
  }
  const report = {
    targetId: target.id,
    database: target.database,
    engine: target.engine,
    objectName,
    ...result,
  };
  const summary = result.error ? `: ${result.error.message}` : '';
  ctx.deps.logger.log(
    SEVERITY[result.outcome],
    `verify.${result.outcome}`,
    `${objectName} ${result.outcome}${summary}`,
    {
      ...fields,
      jobId: result.jobId,
      bytes: result.bytes,
      errorCode: result.error?.code,
      stderrTail: result.error?.stderrTail,
    },
  );
  return report;
}
