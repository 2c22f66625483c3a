// Runs the jobs of each run in the background — in order, `concurrency` at a time, stopping at the first failure
// when asked — one job at a time per target, keeping each job's state on disk as it moves.
import { BackupError } from '../../core/errors.js';
import { mapInOrder } from '../../core/pool.js';
import {
  type BusyJob,
  isFinal,
  type JobRequest,
  type JobStatus,
  type RunAccepted,
  type RunRequest,
} from '../../core/protocol.js';
import type { TargetConfig } from '../engines/index.js';
import type { AgentLog } from '../log/agent-log.js';
import type { Redact } from '../log/redact.js';
import type { BackupPipeline } from '../pipeline/backup-pipeline.js';
import type { CancelSession } from '../pipeline/cancel-session.js';
import { executeJob, type JobContext } from './execute-job.js';
import { interruptedStatus, jobLogFields, queuedStatus, skippedStatus } from './job-status.js';
import type { JobStore } from './job-store.js';
import { abortAll, abortJob, type TargetSlot } from './target-slots.js';

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

export class JobConflictError extends BackupError {
  constructor(readonly busy: BusyJob[]) {
    super(
      'JOB_CONFLICT',
      busy
        .map((job) => `target "${job.targetId}" already has job ${job.jobId} (run ${job.runId})`)
        .join('; '),
    );
  }
}

/** Why a job was stopped when the agent itself is stopping: it ends `interrupted`, not failed. */
const SHUTDOWN = new BackupError('JOB_INTERRUPTED', 'the agent stopped before the job finished');

export function createJobRunner(deps: JobRunnerDeps): JobRunner {
  const jobs = new Map<string, JobStatus>();
  const busy = new Map<string, TargetSlot & { request: JobRequest }>();
  const targets = new Map(deps.targets.map((target) => [target.id, target]));
  const running = new Set<Promise<void>>();
  let stopping = false;

  // Shown to callers once on disk, so a state they saw survives a crash; shown even if the disk fails.
  const update = async (status: JobStatus): Promise<void> => {
    try {
      await deps.store.save(status);
    } finally {
      jobs.set(status.jobId, status);
    }
  };
  const context: JobContext = { ...deps, update, shutdown: SHUTDOWN };

  const prune = async (): Promise<void> => {
    const cutoff = deps.now().getTime() - deps.retentionDays * 86_400_000;
    for (const status of [...jobs.values()]) {
      if (status.endedAt === undefined || Date.parse(status.endedAt) >= cutoff) continue;
      jobs.delete(status.jobId);
      await deps.store.remove(status.jobId);
    }
  };

  const skip = async (jobId: string, request: JobRequest, reason: string): Promise<void> => {
    const status = skippedStatus(jobs.get(jobId) as JobStatus, deps.now(), reason);
    await update(status);
    deps.log.warning('job.skipped', `backup of ${status.targetId} skipped: ${reason}`, jobLogFields(status));
    // Unused, the session would leave nothing; cancelled, nobody can finish it with other bytes either.
    await deps.cancelSession(request);
  };

  const execute = async (run: RunRequest, accepted: RunAccepted): Promise<void> => {
    let stoppedBy: string | undefined;
    await mapInOrder(run.jobs, run.concurrency, async (spec, index) => {
      const { jobId } = accepted.jobs[index] as { jobId: string };
      const slot = busy.get(spec.targetId);
      try {
        if (!slot) return;
        // A job stopped while it waited (the agent stopping, a cancel) ends as that says, not as skipped.
        if (stoppedBy && !slot.abort.signal.aborted) {
          return await skip(jobId, slot.request, `${stoppedBy} failed first (onError: stop)`);
        }
        const target = targets.get(spec.targetId) as TargetConfig;
        const status = await executeJob(
          context,
          jobs.get(jobId) as JobStatus,
          slot.request,
          target,
          slot.abort,
        );
        if (status.state !== 'succeeded' && run.onError === 'stop') stoppedBy ??= spec.targetId;
      } catch (error) {
        deps.log.error('job.state_lost', `job ${jobId}: ${(error as Error).message}`, { jobId });
      } finally {
        busy.delete(spec.targetId);
      }
    });
    await prune().catch((error: Error) =>
      deps.log.warning('job.prune_failed', `could not forget old jobs: ${error.message}`),
    );
  };

  return {
    async recover() {
      const loaded = await deps.store.loadAll((file, error) =>
        deps.log.warning('job.unreadable', `skipped unreadable job file ${file}: ${error.message}`),
      );
      loaded.sort((a, b) => (a.queuedAt ?? '').localeCompare(b.queuedAt ?? ''));
      for (const status of loaded) {
        if (isFinal(status.state)) {
          jobs.set(status.jobId, status);
          continue;
        }
        const interrupted = interruptedStatus(status, deps.now());
        await update(interrupted);
        deps.log.error(
          'job.interrupted',
          `backup of ${status.targetId} was cut off by an agent restart`,
          jobLogFields(interrupted),
        );
      }
      await prune();
    },

    async submitRun(run) {
      if (stopping) throw new BackupError('INTERNAL', 'the agent is shutting down');
      const unknown = run.jobs.filter((spec) => !targets.has(spec.targetId));
      if (unknown.length > 0) {
        throw new BackupError('TARGET_UNKNOWN', `no target "${unknown[0]?.targetId}" is configured`);
      }
      const held = run.jobs.flatMap((spec) => {
        const slot = busy.get(spec.targetId);
        return slot
          ? [
              {
                targetId: spec.targetId,
                jobId: slot.jobId,
                runId: slot.request.runId,
                objectName: slot.request.objectName,
              },
            ]
          : [];
      });
      if (held.length > 0) throw new JobConflictError(held);
      const queuedAt = deps.now();
      const accepted: RunAccepted = { runId: run.runId, jobs: [] };
      // Reserved before the first await, so two runs racing for one target cannot both pass.
      for (const spec of run.jobs) {
        const request: JobRequest = { ...spec, runId: run.runId };
        const status = queuedStatus(deps.newJobId(), request, queuedAt);
        busy.set(spec.targetId, { request, jobId: status.jobId, abort: new AbortController() });
        jobs.set(status.jobId, status);
        accepted.jobs.push({ targetId: spec.targetId, jobId: status.jobId });
      }
      try {
        for (const { jobId } of accepted.jobs) await update(jobs.get(jobId) as JobStatus);
      } catch (error) {
        for (const spec of run.jobs) busy.delete(spec.targetId);
        for (const { jobId } of accepted.jobs) jobs.delete(jobId);
        throw error;
      }
      deps.log.info('run.accepted', `run ${run.runId}: ${run.jobs.length} job(s) queued`, {
        runId: run.runId,
        targets: run.jobs.map((spec) => spec.targetId),
      });
      const done = execute(run, accepted).finally(() => running.delete(done));
      running.add(done);
      return accepted;
    },

    get: (jobId) => jobs.get(jobId),

    run: (runId) => [...jobs.values()].filter((status) => status.runId === runId),

    find(targetId, objectName) {
      let found: JobStatus | undefined;
      for (const status of jobs.values()) {
        if (status.targetId === targetId && status.objectName === objectName) found = status;
      }
      return found;
    },

    cancel(jobId) {
      const status = jobs.get(jobId);
      if (status === undefined) throw new BackupError('JOB_UNKNOWN', 'no such job');
      const cancelled = new BackupError('JOB_CANCELLED', 'the job was cancelled by a signed request');
      if (!isFinal(status.state) && abortJob(busy.get(status.targetId), jobId, cancelled)) {
        deps.log.warning(
          'job.cancelling',
          `cancelling job ${jobId} of ${status.targetId}`,
          jobLogFields(status),
        );
      }
      return status;
    },

    async close() {
      stopping = true;
      abortAll(busy.values(), SHUTDOWN);
      await Promise.all([...running]);
    },
  };
}
