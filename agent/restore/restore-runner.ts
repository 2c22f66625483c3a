// Accepts restores — each checked against the config before anything runs — and runs them one at a time, keeping
// each one's state on disk; at start, restores a stop cut off are settled and their scratch databases dropped.
import { basename } from 'node:path';
import { BackupError } from '../../core/errors.js';
import { compressionOf } from '../../core/formats.js';
import { isFinal } from '../../core/protocol.js';
import type { RestoreAccepted, RestoreRequest, RestoreStatus } from '../../core/restore-protocol.js';
import type { TargetConfig } from '../engines/index.js';
import { type CommonRestore, restoreSettings } from '../engines/restore-engine.js';
import { type AllowedStorage, checkDownloadUrl } from '../http/destinations.js';
import { JobConflictError } from '../jobs/job-runner.js';
import type { StateStore } from '../jobs/job-store.js';
import { abortAll, abortJob, type TargetSlot } from '../jobs/target-slots.js';
import { StderrTail } from '../pipeline/stderr-tail.js';
import { executeRestore, type RestoreContext, type RestoreSource } from './execute-restore.js';
import { interruptedRestore, queuedRestore, restoreLogFields } from './restore-status.js';
import { dropScratch } from './scratch.js';

export interface RestoreRunnerDeps extends Omit<RestoreContext, 'update' | 'shutdown'> {
  store: StateStore<RestoreStatus>;
  targets: readonly TargetConfig[];
  /** The only storage a download URL may point into. */
  storage: AllowedStorage;
  newJobId: () => string;
  /** Finished restores older than this are forgotten, their files deleted. */
  retentionDays: number;
}

export interface RestoreRunner {
  /** Loads the restores on disk: those a stop cut off become interrupted; scratch databases left behind are dropped. */
  recover(): Promise<void>;
  /** Accepts a restore once its queued state is on disk; refuses (before anything runs) what the config does not allow. */
  submit(request: RestoreRequest): Promise<RestoreAccepted>;
  get(jobId: string): RestoreStatus | undefined;
  /** Stops a queued or running restore (it ends `failed` JOB_CANCELLED, its scratch database dropped). */
  cancel(jobId: string): RestoreStatus;
  /** Stops the restore running (its scratch database dropped) and waits until each is saved. */
  close(): Promise<void>;
}

const SHUTDOWN = new BackupError('JOB_INTERRUPTED', 'the agent stopped before the restore finished');

function refuse(code: 'SCRATCH_REFUSED' | 'REQUEST_INVALID', message: string): never {
  throw new BackupError(code, message);
}

/** The request checked against the target's settings: its scratch database, and what it is asked to read. */
function checkRequest(target: TargetConfig, request: RestoreRequest, storage: AllowedStorage) {
  const settings = restoreSettings<CommonRestore>(target);
  const scratch = request.scratchDatabase ?? (settings.scratchDatabases[0] as string);
  if (scratch === target.database) refuse('SCRATCH_REFUSED', `${scratch} is the source database itself`);
  if (!settings.scratchDatabases.includes(scratch)) {
    refuse(
      'SCRATCH_REFUSED',
      `${scratch} is not one of ${target.id}'s scratch databases (${settings.scratchDatabases.join(', ')})`,
    );
  }
  const compression = compressionOf(request.objectName, target.engine);
  if (!compression || !basename(request.objectName).startsWith(`${target.database}_`)) {
    refuse(
      'REQUEST_INVALID',
      `objectName: ${request.objectName} is not a backup of ${target.id} (${target.database})`,
    );
  }
  checkDownloadUrl(request.downloadUrl, storage, request.objectName);
  return { scratch, compression: compression as NonNullable<typeof compression> };
}

export function createRestoreRunner(deps: RestoreRunnerDeps): RestoreRunner {
  const restores = new Map<string, RestoreStatus>();
  const targets = new Map(deps.targets.map((target) => [target.id, target]));
  const busy = new Map<string, TargetSlot & { runId: string; objectName: string }>();
  let queue: Promise<void> = Promise.resolve();
  let stopping = false;

  const update = async (status: RestoreStatus): Promise<void> => {
    try {
      await deps.store.save(status);
    } finally {
      restores.set(status.jobId, status);
    }
  };
  const context: RestoreContext = { ...deps, update, shutdown: SHUTDOWN };

  /** Drops what a restore left behind (a stop, a drop that failed), with the restore user's own credentials. */
  const clean = async (status: RestoreStatus): Promise<void> => {
    const target = targets.get(status.targetId);
    if (status.scratch !== 'created' || !target?.restore) return;
    try {
      await dropScratch(deps.resolve(target, status.scratchDatabase), new StderrTail(5, deps.redact));
      await update({ ...status, scratch: 'dropped' });
      deps.log.info(
        'job.scratch_dropped',
        `dropped ${status.scratchDatabase}, left by restore ${status.jobId}`,
        restoreLogFields(status),
      );
    } catch (error) {
      deps.log.error(
        'job.restore_failed',
        `${status.scratchDatabase}, left by restore ${status.jobId}, could not be dropped: ${(error as Error).message}`,
        {
          ...restoreLogFields(status),
          errorCode: 'SCRATCH_DROP_FAILED',
        },
      );
    }
  };

  const prune = async (): Promise<void> => {
    const cutoff = deps.now().getTime() - deps.retentionDays * 86_400_000;
    for (const status of [...restores.values()]) {
      if (
        status.endedAt === undefined ||
        Date.parse(status.endedAt) >= cutoff ||
        status.scratch === 'created'
      )
        continue;
      restores.delete(status.jobId);
      await deps.store.remove(status.jobId);
    }
  };

  const run = async (jobId: string, source: RestoreSource, target: TargetConfig): Promise<void> => {
    const slot = busy.get(target.id);
    try {
      if (slot)
        await executeRestore(context, restores.get(jobId) as RestoreStatus, source, target, slot.abort);
    } catch (error) {
      deps.log.error('job.state_lost', `restore ${jobId}: ${(error as Error).message}`, { jobId });
    } finally {
      busy.delete(target.id);
    }
    await prune().catch(() => {});
  };

  return {
    async recover() {
      const loaded = await deps.store.loadAll((file, error) =>
        deps.log.warning('job.unreadable', `skipped unreadable restore file ${file}: ${error.message}`),
      );
      for (const status of loaded) {
        let settled = status;
        if (!isFinal(status.state)) {
          settled = interruptedRestore(status, deps.now());
          await update(settled);
          deps.log.error(
            'job.restore_interrupted',
            `restore of ${status.objectName} was cut off by an agent restart`,
            restoreLogFields(settled),
          );
        } else restores.set(status.jobId, status);
        await clean(settled);
      }
      await prune();
    },

    async submit(request) {
      if (stopping) throw new BackupError('INTERNAL', 'the agent is shutting down');
      const target = targets.get(request.targetId);
      if (!target) throw new BackupError('TARGET_UNKNOWN', `no target "${request.targetId}" is configured`);
      const { scratch, compression } = checkRequest(target, request, deps.storage);
      const held = busy.get(target.id);
      if (held)
        throw new JobConflictError([
          { targetId: target.id, jobId: held.jobId, runId: held.runId, objectName: held.objectName },
        ]);
      const { runId, objectName, keep } = request;
      const status = queuedRestore(
        { jobId: deps.newJobId(), runId, targetId: target.id, objectName, scratchDatabase: scratch, keep },
        deps.now(),
      );
      // Reserved before the first await, so two requests racing for one target cannot both pass.
      busy.set(target.id, { jobId: status.jobId, runId, objectName, abort: new AbortController() });
      try {
        await update(status);
      } catch (error) {
        busy.delete(target.id);
        throw error;
      }
      deps.log.info(
        'job.restore_queued',
        `restore of ${objectName} into ${scratch} queued`,
        restoreLogFields(status),
      );
      const source: RestoreSource = {
        downloadUrl: request.downloadUrl,
        expected: request.expected,
        compression,
      };
      // One at a time: a restore loads the database server as much as a backup does.
      queue = queue.then(() => run(status.jobId, source, target));
      return { jobId: status.jobId, runId, targetId: target.id, scratchDatabase: scratch };
    },

    get: (jobId) => restores.get(jobId),

    cancel(jobId) {
      const status = restores.get(jobId);
      if (status === undefined) throw new BackupError('JOB_UNKNOWN', 'no such restore');
      const cancelled = new BackupError('JOB_CANCELLED', 'the restore was cancelled by a signed request');
      if (!isFinal(status.state) && abortJob(busy.get(status.targetId), jobId, cancelled)) {
        deps.log.warning(
          'job.cancelling',
          `cancelling restore ${jobId} of ${status.targetId}`,
          restoreLogFields(status),
        );
      }
      return status;
    },

    async close() {
      stopping = true;
      abortAll(busy.values(), SHUTDOWN);
      await queue;
    },
  };
}
