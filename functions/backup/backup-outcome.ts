// The end of a target's backup, from its job's last status: checked and recorded, exists after a lost race,
// failed, skipped, or still running and left to the watchdog; and how a run watches its jobs until then (each
// agent's run read in one signed request per round).
import type { JobStatus } from '../../core/protocol.js';
import { checkedReport, checkObject } from '../object/check-object.js';
import type { JobRead, JobWatch, LastSeen } from '../run/await-jobs.js';
import { errorFailure, jobFailure } from '../run/failure.js';
import type { BackupOutcome, TargetReport } from '../run/report.js';
import { getObject } from '../storage/objects.js';
import { type BackupContext, backupFailed, finishBackup } from './backup-context.js';
import { existingOutcome } from './existing-object.js';
import type { TrackedJob } from './submit-runs.js';

async function succeeded(ctx: BackupContext, tracked: TrackedJob, job: JobStatus) {
  const { planned } = tracked;
  const now = ctx.deps.clock.now();
  const checked = await checkObject(ctx.bucket, ctx.config, planned.target, planned, job, now);
  const report = { ...checkedReport(checked, job.jobId), bytesRead: job.bytesRead };
  const { database } = planned.target;
  if (report.error) {
    return finishBackup(
      ctx,
      planned,
      'warning',
      `backup of ${database} looks wrong: ${checked.warning}`,
      report,
    );
  }
  return finishBackup(ctx, planned, 'succeeded', `backup of ${database} succeeded`, report);
}

async function backupOutcome(
  ctx: BackupContext,
  tracked: TrackedJob,
  last: LastSeen<JobStatus>,
): Promise<TargetReport<BackupOutcome>> {
  const { planned, jobId } = tracked;
  try {
    if (last instanceof Error) return backupFailed(ctx, planned, errorFailure(last), jobId);
    switch (last?.state) {
      case 'succeeded':
        return await succeeded(ctx, tracked, last);
      case 'skipped':
        return finishBackup(ctx, planned, 'skipped', last.errorMessage ?? 'skipped', { jobId });
      case 'failed':
      case 'interrupted': {
        // Another run made the object while this one dumped: the same backup, not a failure, once proven.
        const raced =
          last.errorCode === 'OBJECT_EXISTS' ? await getObject(ctx.bucket, planned.objectName) : null;
        if (raced) return await existingOutcome(ctx, planned, raced);
        return backupFailed(ctx, planned, jobFailure(last), jobId);
      }
      default: {
        const state = last?.state ?? 'not yet seen';
        return finishBackup(
          ctx,
          planned,
          'running',
          `job ${jobId} is ${state} at the end of the run's budget: the watchdog settles it`,
          {
            jobId,
            ...(last?.deadline && { deadline: last.deadline }),
            note: `${state} when the budget was spent; verify will settle it`,
          },
        );
      }
    }
  } catch (error) {
    return backupFailed(ctx, planned, errorFailure(error), jobId);
  }
}

/** One read per agent run: a run attached to another's job reads that run. */
function reads(ctx: BackupContext, open: TrackedJob[]): JobRead<TrackedJob, JobStatus>[] {
  const runs = new Map(open.map((job) => [`${job.agentUrl} ${job.runId}`, job]));
  return [...runs.values()].map(({ agentUrl, runId }) => ({
    jobs: open.filter((job) => job.agentUrl === agentUrl && job.runId === runId),
    fields: { agentRunId: runId },
    async read() {
      const run = await ctx.agent.run(agentUrl, runId);
      return (job) => run?.jobs.find((candidate) => candidate.jobId === job.jobId) ?? null;
    },
  }));
}

export function watchBackups(
  ctx: BackupContext,
): JobWatch<TrackedJob, JobStatus, TargetReport<BackupOutcome>> {
  return {
    kind: 'backup',
    reads: (open) => reads(ctx, open),
    progress: (_tracked, { targetId, jobId, state, bytesRead, bytesUploaded }) => ({
      targetId,
      jobId,
      state,
      bytesRead,
      bytesUploaded,
    }),
    outcome: (tracked, last) => backupOutcome(ctx, tracked, last),
  };
}
