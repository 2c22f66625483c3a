// The jobs of one kind (backups, or restores) as the agent keeps them: each one's state on disk and shown to callers
// once saved, one job at a time per target, a signed cancel, a shutdown that interrupts and waits, finished jobs
// forgotten after their retention, and those a stop cut off settled as interrupted at the next start.
import { BackupError } from '../../core/errors.js';
import { isFinal, type JobState } from '../../core/protocol.js';
import type { AgentLog, LogFields } from '../log/agent-log.js';
import type { AgentEvent } from '../log/events.js';
import { JobConflictError } from './job-conflict.js';
import type { StateStore } from './job-store.js';

/** What a job's status holds whatever its kind. */
export interface JobRecord {
  jobId: string;
  runId: string;
  targetId: string;
  objectName: string;
  state: JobState;
  queuedAt?: string;
  endedAt?: string;
}

/** What sets one kind of job apart in the table. */
export interface JobKind<S extends JobRecord> {
  /** How messages name one of them: `job` (a backup) or `restore`. */
  noun: string;
  /** The job in a log message: `backup of app`, `restore of app_20260101.sql.gz`. */
  title(status: S): string;
  logFields(status: S): LogFields;
  /** The status of a job a stop cut off, and the event a restart logs for it. */
  interrupted(status: S, now: Date): S;
  interruptedEvent: AgentEvent;
  /** A finished job kept past its retention: a restore whose scratch database is still there. */
  keep?(status: S): boolean;
}

export interface JobTableDeps<S extends JobRecord> {
  kind: JobKind<S>;
  store: StateStore<S>;
  log: AgentLog;
  now: () => Date;
  /** Finished jobs older than this are forgotten, their files deleted. */
  retentionDays: number;
}

/** How often a running job's counts are written to disk. */
const PROGRESS_SAVE_MS = 2000;

export function createJobTable<S extends JobRecord>(deps: JobTableDeps<S>) {
  const { kind, store, log } = deps;
  const jobs = new Map<string, S>();
  /** The job holding each busy target, and how to stop it. */
  const busy = new Map<string, { job: S; abort: AbortController }>();
  const running = new Set<Promise<unknown>>();
  /** When each running job's progress was last written. */
  const saved = new Map<string, number>();
  const shutdown = new BackupError('JOB_INTERRUPTED', `the agent stopped before the ${kind.noun} finished`);
  let stopping = false;

  const update = async (status: S): Promise<void> => {
    try {
      await store.save(status);
    } finally {
      jobs.set(status.jobId, status);
    }
  };

  /** Never throws: an old file left behind is tried again at the next prune. */
  const prune = async (): Promise<void> => {
    const cutoff = deps.now().getTime() - deps.retentionDays * 86_400_000;
    try {
      for (const status of [...jobs.values()]) {
        if (status.endedAt === undefined || Date.parse(status.endedAt) >= cutoff || kind.keep?.(status))
          continue;
        jobs.delete(status.jobId);
        await store.remove(status.jobId);
      }
    } catch (error) {
      log.warning('job.prune-failed', `could not forget old ${kind.noun}s: ${(error as Error).message}`);
    }
  };

  return {
    /** The abort reason that means the agent is stopping: a job stopped by it ends `interrupted`. */
    shutdown,
    get: (jobId: string): S | undefined => jobs.get(jobId),
    all: (): S[] => [...jobs.values()],
    /** Saves a state, then shows it to callers; shown even when the disk fails. */
    update,

    /** A running job's counts: shown to callers at once, written to disk every few seconds. */
    progress(status: S): void {
      jobs.set(status.jobId, status);
      if (Date.now() - (saved.get(status.jobId) ?? 0) < PROGRESS_SAVE_MS) return;
      saved.set(status.jobId, Date.now());
      // A write that fails is retried with the next count, and the job's end is saved on its own.
      void store.save(status).catch(() => {});
    },

    /**
     * Holds each job's target, all or none, and saves each queued state: how a stop aborts each job, in order.
     * INTERNAL while the agent stops; JOB_CONFLICT naming the jobs that hold a target already.
     */
    async admit(queued: S[]): Promise<AbortController[]> {
      if (stopping) throw new BackupError('INTERNAL', 'the agent is shutting down');
      const held = queued.flatMap(({ targetId }) => {
        const holder = busy.get(targetId)?.job;
        return holder
          ? [{ targetId, jobId: holder.jobId, runId: holder.runId, objectName: holder.objectName }]
          : [];
      });
      if (held.length > 0) throw new JobConflictError(held);
      // Held before the first await, so two requests racing for one target cannot both pass.
      const aborts = queued.map((job) => {
        const abort = new AbortController();
        busy.set(job.targetId, { job, abort });
        jobs.set(job.jobId, job);
        return abort;
      });
      try {
        for (const job of queued) await update(job);
      } catch (error) {
        for (const job of queued) {
          busy.delete(job.targetId);
          jobs.delete(job.jobId);
        }
        throw error;
      }
      return aborts;
    },

    /** Runs one admitted job's work to its end, then frees its target and forgets what is past its retention. */
    async settle(status: S, work: () => Promise<unknown>): Promise<void> {
      try {
        await work();
      } catch (error) {
        log.error('job.state-lost', `${kind.noun} ${status.jobId}: ${(error as Error).message}`, {
          jobId: status.jobId,
        });
      } finally {
        busy.delete(status.targetId);
        saved.delete(status.jobId);
      }
      await prune();
    },

    /** Work that close() waits for. */
    track(work: Promise<unknown>): void {
      const tracked = work.finally(() => running.delete(tracked));
      running.add(tracked);
    },

    /** Stops a queued or running job (JOB_CANCELLED); a final one is answered as it is. */
    cancel(jobId: string): S {
      const status = jobs.get(jobId);
      if (status === undefined) throw new BackupError('JOB_UNKNOWN', `no such ${kind.noun}`);
      const slot = busy.get(status.targetId);
      if (!isFinal(status.state) && slot?.job.jobId === jobId && !slot.abort.signal.aborted) {
        slot.abort.abort(
          new BackupError('JOB_CANCELLED', `the ${kind.noun} was cancelled by a signed request`),
        );
        log.warning(
          'job.cancelling',
          `cancelling ${kind.noun} ${jobId} of ${status.targetId}`,
          kind.logFields(status),
        );
      }
      return status;
    },

    /** Loads the jobs on disk, those a stop cut off becoming interrupted, hands each to `after`, then prunes. */
    async recover(after?: (status: S) => Promise<void>): Promise<void> {
      const loaded = await store.loadAll((file, error) =>
        log.warning('job.unreadable', `skipped unreadable ${kind.noun} file ${file}: ${error.message}`),
      );
      // In the order they were queued, as callers listing a run's jobs expect them.
      loaded.sort((a, b) => (a.queuedAt ?? '').localeCompare(b.queuedAt ?? ''));
      for (const status of loaded) {
        let settled = status;
        if (isFinal(status.state)) jobs.set(status.jobId, status);
        else {
          settled = kind.interrupted(status, deps.now());
          await update(settled);
          log.error(
            kind.interruptedEvent,
            `${kind.title(status)} was cut off by an agent restart`,
            kind.logFields(settled),
          );
        }
        await after?.(settled);
      }
      await prune();
    },

    /** Stops every job and waits for all tracked work. */
    async close(): Promise<void> {
      stopping = true;
      for (const { abort } of busy.values()) if (!abort.signal.aborted) abort.abort(shutdown);
      await Promise.all([...running]);
    },
  };
}

export type JobTable<S extends JobRecord> = ReturnType<typeof createJobTable<S>>;
