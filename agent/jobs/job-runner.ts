// Runs backup jobs in the background, one at a time per target, keeping each job's state on disk as it moves.
import { BackupError, errorCodeOf } from '../../core/errors.js';
import { FINAL_JOB_STATES, type JobRequest, type JobStatus } from '../../core/protocol.js';
import type { ConfigFiles } from '../config/files.js';
import { readPasswordFile } from '../config/password-file.js';
import type { TargetConfig } from '../engines/index.js';
import type { AgentLog } from '../log/agent-log.js';
import type { Redactor } from '../log/redact.js';
import type { BackupOutcome, RunBackupInput } from '../pipeline/run-backup.js';
import {
  interruptedStatus,
  jobLogFields,
  progressedStatus,
  queuedStatus,
  runningStatus,
  settledStatus,
} from './job-status.js';
import type { JobStore } from './job-store.js';

export interface JobRunnerDeps {
  store: JobStore;
  targets: readonly TargetConfig[];
  runBackup: (input: RunBackupInput) => Promise<BackupOutcome>;
  log: AgentLog;
  redactor: Redactor;
  files: ConfigFiles;
  zstdPath: string;
  chunkSize: number;
  now: () => Date;
  newJobId: () => string;
  /** Finished jobs older than this are forgotten, their files deleted. */
  retentionDays: number;
  /** How often a running job's byte counts are written to disk. */
  progressSaveMs?: number;
}

export interface JobQuery {
  runId?: string;
  targetId?: string;
}

export interface JobRunner {
  /** Loads the jobs on disk; those left queued or running by a previous process become interrupted. */
  recover(): Promise<void>;
  /** Accepts a job once its queued state is on disk; TARGET_UNKNOWN or JOB_CONFLICT (with the busy job's id). */
  submit(request: JobRequest): Promise<JobStatus>;
  get(jobId: string): JobStatus | undefined;
  /** The most recently accepted job matching every given field. */
  find(query: JobQuery): JobStatus | undefined;
  /** Stops every running job (its upload session cancelled) and waits until each is saved as interrupted. */
  close(): Promise<void>;
}

export class JobConflictError extends BackupError {
  constructor(
    readonly jobId: string,
    targetId: string,
  ) {
    super('JOB_CONFLICT', `target "${targetId}" already has job ${jobId} in progress`);
  }
}

export function createJobRunner(deps: JobRunnerDeps): JobRunner {
  const jobs = new Map<string, JobStatus>();
  const busy = new Map<string, { jobId: string; abort: AbortController; done: Promise<void> }>();
  const targets = new Map(deps.targets.map((target) => [target.id, target]));
  let stopping = false;

  // Shown to callers once on disk, so a state they saw survives a crash; shown even if the disk fails.
  const update = async (status: JobStatus): Promise<void> => {
    try {
      await deps.store.save(status);
    } finally {
      jobs.set(status.jobId, status);
    }
  };

  const execute = async (
    queued: JobStatus,
    request: JobRequest,
    target: TargetConfig,
    abort: AbortController,
  ) => {
    const started = deps.now();
    let status = runningStatus(queued, started);
    await update(status);
    deps.log.info('job.started', `backup of ${status.targetId} started`, jobLogFields(status));
    let outcome: BackupOutcome;
    try {
      const password = target.passwordFile
        ? readPasswordFile(target.passwordFile, deps.files, `target ${target.id} passwordFile`)
        : undefined;
      if (password !== undefined) deps.redactor.add(password);
      if (abort.signal.aborted) throw new BackupError('JOB_INTERRUPTED', 'stopped before the dump began');
      let lastSave = 0;
      outcome = await deps.runBackup({
        request,
        target,
        password,
        zstdPath: deps.zstdPath,
        chunkSize: deps.chunkSize,
        signal: abort.signal,
        onProgress: ({ bytesRead, bytesUploaded }) => {
          status = progressedStatus(status, bytesRead, bytesUploaded);
          jobs.set(status.jobId, status);
          if (Date.now() - lastSave >= (deps.progressSaveMs ?? 2000)) {
            lastSave = Date.now();
            void deps.store.save(status).catch(() => {});
          }
        },
      });
    } catch (error) {
      // runBackup reports failures as outcomes; a throw is a bug or a bad password file.
      outcome = {
        ok: false,
        bytesRead: status.bytesRead,
        bytesUploaded: status.bytesUploaded,
        exitCodes: status.exitCodes,
        errorCode: errorCodeOf(error),
        errorMessage: (error as Error).message,
        stderrTail: [],
      };
    }
    const ended = deps.now();
    status = settledStatus(status, outcome, ended, deps.redactor.redact);
    if (abort.signal.aborted) status = interruptedStatus(status, ended);
    await update(status);
    await prune();
    const fields = jobLogFields(status, started.getTime(), ended.getTime());
    if (status.state === 'succeeded') {
      deps.log.info('job.succeeded', `backup of ${status.targetId} uploaded ${status.objectName}`, fields);
    } else {
      deps.log.error(
        `job.${status.state}`,
        `backup of ${status.targetId} ${status.state}: ${status.errorMessage}`,
        {
          ...fields,
          stderrTail: status.stderrTail,
        },
      );
    }
  };

  const prune = async (): Promise<void> => {
    const cutoff = deps.now().getTime() - deps.retentionDays * 86_400_000;
    for (const status of [...jobs.values()]) {
      if (status.endedAt === undefined || Date.parse(status.endedAt) >= cutoff) continue;
      jobs.delete(status.jobId);
      await deps.store.remove(status.jobId);
    }
  };

  return {
    async recover() {
      const loaded = await deps.store.loadAll((file, error) =>
        deps.log.warning('job.unreadable', `skipped unreadable job file ${file}: ${error.message}`),
      );
      loaded.sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? ''));
      for (const status of loaded) {
        if (FINAL_JOB_STATES.includes(status.state)) {
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

    async submit(request) {
      const target = targets.get(request.targetId);
      if (target === undefined)
        throw new BackupError('TARGET_UNKNOWN', `no target "${request.targetId}" is configured`);
      if (stopping) throw new BackupError('INTERNAL', 'the agent is shutting down');
      const running = busy.get(target.id);
      if (running) throw new JobConflictError(running.jobId, target.id);
      const queued = queuedStatus(deps.newJobId(), request);
      const abort = new AbortController();
      const slot = { jobId: queued.jobId, abort, done: Promise.resolve() };
      // Reserved before the first await, so two requests racing for one target cannot both pass.
      busy.set(target.id, slot);
      try {
        await update(queued);
      } catch (error) {
        busy.delete(target.id);
        throw error;
      }
      slot.done = execute(queued, request, target, abort)
        .catch((error) =>
          deps.log.error('job.state_lost', `job ${queued.jobId}: ${(error as Error).message}`, {
            jobId: queued.jobId,
          }),
        )
        .finally(() => busy.delete(target.id));
      return queued;
    },

    get: (jobId) => jobs.get(jobId),

    find(query) {
      let found: JobStatus | undefined;
      for (const status of jobs.values()) {
        if (query.runId !== undefined && status.runId !== query.runId) continue;
        if (query.targetId !== undefined && status.targetId !== query.targetId) continue;
        found = status;
      }
      return found;
    },

    async close() {
      stopping = true;
      const running = [...busy.values()];
      for (const { abort } of running) abort.abort();
      await Promise.all(running.map(({ done }) => done));
    },
  };
}
