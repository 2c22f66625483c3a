// Accepts restores — each checked against the config before anything runs — and runs them one at a time, keeping
// each one's state on disk; at start, restores a stop cut off are settled and their scratch databases dropped.
import { basename } from 'node:path';
import { parseBinlogObjectName } from '../../core/binlog-name.js';
import { BackupError } from '../../core/errors.js';
import { compressionOf, isEncrypted } from '../../core/formats.js';
import type {
  DropScratchRequest,
  ReplayRequest,
  RestoreAccepted,
  RestoreRequest,
  RestoreStatus,
} from '../../core/restore-protocol.js';
import type { TargetConfig } from '../engines/index.js';
import { type CommonRestore, restoreSettings } from '../engines/restore-engine.js';
import { type AllowedStorage, checkDownloadUrl } from '../http/destinations.js';
import type { StateStore } from '../jobs/job-store.js';
import { createJobTable } from '../jobs/job-table.js';
import { StderrTail } from '../pipeline/stderr-tail.js';
import { executeRestore, type RestoreSource, type RestoreTools } from './execute-restore.js';
import { dropKept } from './kept-scratch.js';
import type { ReplaySource } from './replay-logs.js';
import { queuedRestore, RESTORE_JOBS, restoreLogFields } from './restore-status.js';
import { dropScratch } from './scratch.js';

export interface RestoreRunnerDeps extends RestoreTools {
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
  /** Drops a scratch database a restore of this agent kept; the record of that restore, now `dropped`. */
  dropKept(request: DropScratchRequest): Promise<RestoreStatus>;
  /** Stops a queued or running restore (it ends `failed` JOB_CANCELLED, its scratch database dropped). */
  cancel(jobId: string): RestoreStatus;
  /** Stops the restore running (its scratch database dropped) and waits until each is saved. */
  close(): Promise<void>;
}

function refuse(code: 'SCRATCH_REFUSED' | 'REQUEST_INVALID', message: string): never {
  throw new BackupError(code, message);
}

/** The request checked against the target's settings: its scratch database, and what it is asked to read. */
function checkRequest(target: TargetConfig, request: RestoreRequest, storage: AllowedStorage) {
  const settings = restoreSettings<CommonRestore>(target);
  const scratch = request.scratchDatabase ?? (settings.scratchDatabases[0] as string);
  // The allowed names in the refusal: the function passes it on to whoever typed the name.
  const allowed = `allowed: ${settings.scratchDatabases.join(', ')}`;
  if (scratch === target.database)
    refuse('SCRATCH_REFUSED', `${scratch} is the source database itself (${allowed})`);
  if (!settings.scratchDatabases.includes(scratch)) {
    refuse('SCRATCH_REFUSED', `${scratch} is not one of ${target.id}'s scratch databases (${allowed})`);
  }
  const compression = compressionOf(request.objectName, target.engine);
  if (!compression || !basename(request.objectName).startsWith(`${target.database}_`)) {
    refuse(
      'REQUEST_INVALID',
      `objectName: ${request.objectName} is not a backup of ${target.id} (${target.database})`,
    );
  }
  checkDownloadUrl(request.downloadUrl, storage, request.objectName);
  const replay = request.replay && checkReplay(target, request.replay, storage);
  return { scratch, compression: compression as NonNullable<typeof compression>, replay };
}

/** The logs of a restore to a moment: only a MySQL target's, each a shipped log of its own database. */
function checkReplay(target: TargetConfig, replay: ReplayRequest, storage: AllowedStorage): ReplaySource {
  if (target.engine !== 'mysql') {
    refuse('REQUEST_INVALID', `replay: ${target.id} is a ${target.engine} target; only MySQL's logs replay`);
  }
  if (replay.database !== target.database) {
    refuse(
      'REQUEST_INVALID',
      `replay.database: ${replay.database} is not ${target.id}'s (${target.database})`,
    );
  }
  const logs = replay.logs.map((log) => {
    const folder = `binlog/${target.database}/`;
    const at = log.objectName.lastIndexOf(folder);
    const parsed = at < 0 ? null : parseBinlogObjectName(log.objectName.slice(0, at), log.objectName);
    if (!parsed) {
      refuse('REQUEST_INVALID', `replay.logs: ${log.objectName} is not a shipped log of ${target.database}`);
    }
    checkDownloadUrl(log.downloadUrl, storage, log.objectName);
    const { file, compression, encrypted } = parsed;
    return { ...log, file, compression, encrypted };
  });
  return {
    database: replay.database,
    startPosition: replay.startPosition,
    stopAt: new Date(replay.stopAt),
    logs,
  };
}

export function createRestoreRunner(deps: RestoreRunnerDeps): RestoreRunner {
  const table = createJobTable({ ...deps, kind: RESTORE_JOBS });
  const targets = new Map(deps.targets.map((target) => [target.id, target]));
  const context = {
    ...deps,
    update: table.update,
    progress: table.progress,
    shutdown: table.shutdown,
    all: table.all,
  };
  let queue: Promise<void> = Promise.resolve();

  /** Drops what a restore left behind (a stop, a drop that failed), with the restore user's own credentials. */
  const clean = async (status: RestoreStatus): Promise<void> => {
    const target = targets.get(status.targetId);
    if (status.scratch !== 'created' || !target?.restore) return;
    try {
      await dropScratch(deps.resolve(target, status.scratchDatabase), new StderrTail(5, deps.redact));
      await table.update({ ...status, scratch: 'dropped' });
      deps.log.info(
        'job.scratch-dropped',
        `dropped ${status.scratchDatabase}, left by restore ${status.jobId}`,
        restoreLogFields(status),
      );
    } catch (error) {
      deps.log.error(
        'job.restore-failed',
        `${status.scratchDatabase}, left by restore ${status.jobId}, could not be dropped: ${(error as Error).message}`,
        { ...restoreLogFields(status), errorCode: 'SCRATCH_DROP_FAILED' },
      );
    }
  };

  return {
    recover: () => table.recover(clean),

    async submit(request) {
      const target = targets.get(request.targetId);
      if (!target) throw new BackupError('TARGET_UNKNOWN', `no target "${request.targetId}" is configured`);
      const { scratch, compression, replay } = checkRequest(target, request, deps.storage);
      const { runId, objectName, keep } = request;
      const status = queuedRestore(
        { jobId: deps.newJobId(), runId, targetId: target.id, objectName, scratchDatabase: scratch, keep },
        deps.now(),
      );
      const [abort] = (await table.admit([status])) as [AbortController];
      deps.log.info(
        'job.restore-queued',
        `restore of ${objectName} into ${scratch} queued`,
        restoreLogFields(status),
      );
      const source: RestoreSource = {
        downloadUrl: request.downloadUrl,
        expected: request.expected,
        compression,
        encrypted: isEncrypted(objectName),
        ...(replay && { replay }),
      };
      // One at a time: a restore loads the database server as much as a backup does.
      queue = queue.then(() =>
        table.settle(status, () => executeRestore(context, status, source, target, abort)),
      );
      table.track(queue);
      return { jobId: status.jobId, runId, targetId: target.id, scratchDatabase: scratch };
    },

    dropKept(request) {
      const target = targets.get(request.targetId);
      if (!target) throw new BackupError('TARGET_UNKNOWN', `no target "${request.targetId}" is configured`);
      return dropKept({ ...deps, restores: table.all, update: table.update }, target, request);
    },

    get: table.get,
    cancel: table.cancel,
    close: table.close,
  };
}
