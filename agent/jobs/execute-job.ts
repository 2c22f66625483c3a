// One job from queued to settled: started, watched against its target's limits, its progress shown, its end
// logged (before anything else can fail) and saved.
import { errorCodeOf } from '../../core/errors.js';
import { deadlineAfter } from '../../core/job-deadline.js';
import type { JobRequest, JobStatus } from '../../core/protocol.js';
import type { TargetConfig } from '../engines/index.js';
import type { AgentLog } from '../log/agent-log.js';
import type { Redact } from '../log/redact.js';
import type { BackupPipeline } from '../pipeline/backup-pipeline.js';
import type { CancelSession } from '../pipeline/cancel-session.js';
import type { StreamedBackup } from '../pipeline/stream-backup.js';
import { watchLimits } from './job-limits.js';
import {
  interruptedStatus,
  jobLogFields,
  progressedStatus,
  runningStatus,
  settledStatus,
} from './job-status.js';
import type { JobTable } from './job-table.js';

/** What a backup job runs with: the pipeline, and its table's saving of its state. */
export interface BackupJobContext extends Pick<JobTable<JobStatus>, 'update' | 'progress' | 'shutdown'> {
  pipeline: BackupPipeline;
  cancelSession: CancelSession;
  log: AgentLog;
  redact: Redact;
  now: () => Date;
}

/** An outcome for a backup that never ran, or whose pipeline threw (an unreadable password file, a bug). */
function unrun(status: JobStatus, error: unknown): StreamedBackup {
  return {
    ok: false,
    bytesRead: status.bytesRead,
    bytesUploaded: status.bytesUploaded,
    exitCodes: status.exitCodes,
    errorCode: errorCodeOf(error),
    errorMessage: (error as Error)?.message ?? String(error),
    stderrTail: [],
  };
}

export async function executeJob(
  ctx: BackupJobContext,
  queued: JobStatus,
  request: JobRequest,
  target: TargetConfig,
  abort: AbortController,
): Promise<JobStatus> {
  const started = ctx.now();
  // Its deadline in its status: the watchdog reads there how long this target's jobs may run.
  const deadline = deadlineAfter(started, target.maxDurationMinutes);
  let status: JobStatus = { ...runningStatus(queued, started), deadline };
  let outcome: StreamedBackup;
  if (abort.signal.aborted) {
    // Cancelled or stopped while it waited its turn: it never starts, and its session is cancelled.
    outcome = unrun(status, abort.signal.reason);
    await ctx.cancelSession(request);
  } else {
    await ctx.update(status);
    ctx.log.info('job.started', `backup of ${status.targetId} started`, jobLogFields(status));
    const limits = watchLimits(abort, target, 'the dump wrote nothing', () => Date.now());
    try {
      outcome = await ctx.pipeline(target, request, {
        signal: abort.signal,
        clock: limits.clock,
        onProgress: ({ bytesRead, bytesUploaded }) => {
          limits.progressed(bytesRead);
          status = progressedStatus(status, bytesRead, bytesUploaded);
          ctx.progress(status);
        },
      });
    } catch (error) {
      outcome = unrun(status, error);
      await ctx.cancelSession(request);
    } finally {
      limits.stop();
    }
  }
  const ended = ctx.now();
  status = settledStatus(status, outcome, ended, ctx.redact);
  if (abort.signal.reason === ctx.shutdown) status = interruptedStatus(status, ended);
  // Logged before it is saved: a disk that fails must not drop the very line syslog and the login banner read.
  const fields = jobLogFields(status, started.getTime(), ended.getTime());
  if (status.state === 'succeeded') {
    ctx.log.info('job.succeeded', `backup of ${status.targetId} uploaded ${status.objectName}`, fields);
  } else {
    ctx.log.error(
      status.state === 'interrupted' ? 'job.interrupted' : 'job.failed',
      `backup of ${status.targetId} ${status.state}: ${status.errorMessage}`,
      {
        ...fields,
        stderrTail: status.stderrTail,
      },
    );
  }
  await ctx.update(status);
  return status;
}
