// Hands each agent its targets as one ordered run. A target already busy with the same object (a Cloud Scheduler
// retry, a second run of the same day) is attached to, not failed; the rest are submitted again without it.
import { BackupError } from '../../core/errors.js';
import type { BusyJob, JobSpec } from '../../core/protocol.js';
import { cancelUploadSession, SESSION_CANCELLED } from '../../core/upload-session.js';
import { errorFailure } from '../run/failure.js';
import type { PlannedTarget } from '../run/plan.js';
import type { BackupOutcome, TargetReport } from '../run/report.js';
import { targetFields } from '../run/run-context.js';
import { type BackupContext, backupFailed } from './backup-context.js';
import type { Prepared } from './prepare-target.js';

type Ready = Extract<Prepared, { kind: 'ready' }>;

/** A job the run waits for: its own, or one of another run it attached to. */
export interface TrackedJob {
  planned: PlannedTarget;
  agentUrl: string;
  jobId: string;
  runId: string;
}

export interface Submitted {
  tracked: TrackedJob[];
  done: TargetReport<BackupOutcome>[];
}

/** Ends a session the run will not use, so nobody else can finish it; one not confirmed cancelled is logged. */
async function dropSession(ctx: BackupContext, ready: Ready): Promise<void> {
  const why = await cancelUploadSession(ready.sessionUri).then(
    (status) =>
      status === SESSION_CANCELLED ? null : `Cloud Storage answered HTTP ${status}, not ${SESSION_CANCELLED}`,
    (error: Error) => error.message,
  );
  if (why === null) return;
  ctx.deps.logger.event('backup.cancel-failed', `could not cancel the upload session: ${why}`, {
    ...targetFields(ctx, ready.planned),
  });
}

async function submitToAgent(ctx: BackupContext, agentUrl: string, readies: Ready[], result: Submitted) {
  let pending = readies;
  // Each refusal removes at least one busy target, so this ends.
  while (pending.length > 0) {
    const jobs: JobSpec[] = pending.map(({ planned, sessionUri }) => ({
      targetId: planned.target.id,
      objectName: planned.objectName,
      uploadUri: sessionUri,
      compression: planned.target.compression,
      ...(planned.target.encryption === 'required' && { encrypted: true }),
    }));
    let submission: Awaited<ReturnType<typeof ctx.agent.submitRun>>;
    try {
      submission = await ctx.agent.submitRun(agentUrl, {
        runId: ctx.runId,
        concurrency: ctx.config.concurrency,
        onError: ctx.config.onError,
        jobs,
      });
    } catch (error) {
      for (const ready of pending) {
        await dropSession(ctx, ready);
        result.done.push(backupFailed(ctx, ready.planned, errorFailure(error)));
      }
      return;
    }
    if (submission.kind === 'accepted') {
      for (const { targetId, jobId } of submission.accepted.jobs) {
        const ready = pending.find((candidate) => candidate.planned.target.id === targetId) as Ready;
        ctx.deps.logger.event('backup.submitted', `the agent accepted job ${jobId}`, {
          ...targetFields(ctx, ready.planned),
          jobId,
        });
        result.tracked.push({ planned: ready.planned, agentUrl, jobId, runId: ctx.runId });
      }
      return;
    }
    const busy = new Map(submission.busy.map((job) => [job.targetId, job]));
    for (const ready of pending.filter((candidate) => busy.has(candidate.planned.target.id))) {
      await dropSession(ctx, ready);
      const holder = busy.get(ready.planned.target.id) as BusyJob;
      if (holder.objectName === ready.planned.objectName) {
        ctx.deps.logger.event(
          'backup.attached',
          `job ${holder.jobId} of run ${holder.runId} is already writing this object`,
          {
            ...targetFields(ctx, ready.planned),
            jobId: holder.jobId,
            attachedRunId: holder.runId,
          },
        );
        result.tracked.push({ planned: ready.planned, agentUrl, jobId: holder.jobId, runId: holder.runId });
      } else {
        const error = new BackupError(
          'JOB_CONFLICT',
          `target ${holder.targetId} is still busy with job ${holder.jobId} writing ${holder.objectName}`,
        );
        result.done.push(backupFailed(ctx, ready.planned, errorFailure(error), holder.jobId));
      }
    }
    pending = pending.filter((candidate) => !busy.has(candidate.planned.target.id));
  }
}

/** Submits per agent (agents side by side; each agent keeps the run's order, concurrency and stop-on-error). */
export async function submitRuns(ctx: BackupContext, readies: Ready[]): Promise<Submitted> {
  const byAgent = new Map<string, Ready[]>();
  for (const ready of readies) {
    const url = ready.planned.target.agentUrl;
    byAgent.set(url, [...(byAgent.get(url) ?? []), ready]);
  }
  const result: Submitted = { tracked: [], done: [] };
  await Promise.all([...byAgent].map(([agentUrl, group]) => submitToAgent(ctx, agentUrl, group, result)));
  return result;
}
