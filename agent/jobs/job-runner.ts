// Runs the jobs of each run in the background — in order, `concurrency` at a time, stopping at the first failure
// when asked — one job at a time per target, each job's state kept by the job table as it moves.
import { BackupError } from '../../core/errors.js';
import { mapInOrder } from '../../core/pool.js';
import type { JobRequest, JobStatus, RunAccepted, RunRequest } from '../../core/protocol.js';
import type { TargetConfig } from '../engines/index.js';
import type { AgentLog } from '../log/agent-log.js';
import type { Redact } from '../log/redact.js';
import type { BackupPipeline } from '../pipeline/backup-pipeline.js';
import type { CancelSession } from '../pipeline/cancel-session.js';
import { executeJob } from './execute-job.js';
import { BACKUP_JOBS, jobLogFields, queuedStatus, skippedStatus } from './job-status.js';
import type { JobStore } from './job-store.js';
import { createJobTable } from './job-table.js';

export interface JobRunnerDeps {
  store: JobStore;
  targets: readonly TargetConfig[];
  /** Runs one backup of a target; credentials and tools are its business. */
  pipeline: BackupPipeline;
  /** Ends the upload session of a job that will not run, logging one that does not confirm it. */
  cancelSession: CancelSession;
  log: AgentLog;
  /** Masks secrets in what a job reports (its stderr tail and error message). */
  redact: Redact;
  now: () => Date;
  newJobId: () => string;
  /** Finished jobs older than this are forgotten, their files deleted. */
  retentionDays: number;
}

export interface JobRunner {
  /** Loads the jobs on disk; those left queued or running by a previous process become interrupted. */
  recover(): Promise<void>;
  /** Accepts a run once every job's queued state is on disk; TARGET_UNKNOWN, or JOB_CONFLICT naming the busy jobs. */
  submitRun(run: RunRequest): Promise<RunAccepted>;
  get(jobId: string): JobStatus | undefined;
  /** Every job of a run, in the order asked for. */
  run(runId: string): JobStatus[];
  /** The latest job writing `objectName` for `targetId`. */
  find(targetId: string, objectName: string): JobStatus | undefined;
  /** Stops a queued or running job (JOB_CANCELLED); a final job is answered as it is. */
  cancel(jobId: string): JobStatus;
  /** Stops every job (their upload sessions cancelled) and waits until each is saved as interrupted. */
  close(): Promise<void>;
}

export function createJobRunner(deps: JobRunnerDeps): JobRunner {
  const table = createJobTable({ ...deps, kind: BACKUP_JOBS });
  const targets = new Map(deps.targets.map((target) => [target.id, target]));
  const context = { ...deps, update: table.update, progress: table.progress, shutdown: table.shutdown };

  const skip = async (queued: JobStatus, request: JobRequest, reason: string): Promise<void> => {
    const status = skippedStatus(queued, deps.now(), reason);
    await table.update(status);
    deps.log.warning('job.skipped', `backup of ${status.targetId} skipped: ${reason}`, jobLogFields(status));
    // Unused, the session would leave nothing; cancelled, nobody can finish it with other bytes either.
    await deps.cancelSession(request);
  };

  const execute = async (run: RunRequest, queued: JobStatus[], aborts: AbortController[]) => {
    let stoppedBy: string | undefined;
    await mapInOrder(run.jobs, run.concurrency, async (spec, index) => {
      const status = queued[index] as JobStatus;
      const abort = aborts[index] as AbortController;
      const request: JobRequest = { ...spec, runId: run.runId };
      await table.settle(status, async () => {
        // A job stopped while it waited (the agent stopping, a cancel) ends as that says, not as skipped.
        if (stoppedBy && !abort.signal.aborted) {
          return skip(status, request, `${stoppedBy} failed first (onError: stop)`);
        }
        const target = targets.get(spec.targetId) as TargetConfig;
        const ended = await executeJob(context, status, request, target, abort);
        if (ended.state !== 'succeeded' && run.onError === 'stop') stoppedBy ??= spec.targetId;
      });
    });
  };

  return {
    recover: () => table.recover(),

    async submitRun(run) {
      const unknown = run.jobs.find((spec) => !targets.has(spec.targetId));
      if (unknown) throw new BackupError('TARGET_UNKNOWN', `no target "${unknown.targetId}" is configured`);
      const queuedAt = deps.now();
      const queued = run.jobs.map((spec) =>
        queuedStatus(deps.newJobId(), { ...spec, runId: run.runId }, queuedAt),
      );
      const aborts = await table.admit(queued);
      deps.log.info('run.accepted', `run ${run.runId}: ${run.jobs.length} job(s) queued`, {
        runId: run.runId,
        targets: run.jobs.map((spec) => spec.targetId),
      });
      table.track(execute(run, queued, aborts));
      return {
        runId: run.runId,
        jobs: queued.map(({ targetId, jobId }) => ({ targetId, jobId })),
      };
    },

    get: table.get,
    run: (runId) => table.all().filter((status) => status.runId === runId),
    find: (targetId, objectName) =>
      table.all().findLast((status) => status.targetId === targetId && status.objectName === objectName),
    cancel: table.cancel,
    close: table.close,
  };
}
