// A restore's state transitions as pure functions, the fields of its log lines, and what sets restores apart in the
// job table.
import type { RestoreStatus } from '../../core/restore-protocol.js';
import { INTERRUPTED_MESSAGE } from '../jobs/job-status.js';
import type { JobKind } from '../jobs/job-table.js';
import type { LogFields } from '../log/agent-log.js';

export interface RestoreJob {
  jobId: string;
  runId: string;
  targetId: string;
  objectName: string;
  scratchDatabase: string;
  keep: boolean;
}

export function queuedRestore(job: RestoreJob, now: Date): RestoreStatus {
  return {
    ...job,
    state: 'queued',
    queuedAt: now.toISOString(),
    bytesDownloaded: 0,
    bytesRestored: 0,
    tables: [],
    checks: [],
    scratch: 'none',
    exitCodes: {},
    stderrTail: [],
  };
}

export function runningRestore(status: RestoreStatus, now: Date): RestoreStatus {
  return { ...status, state: 'running', step: 'restoring', startedAt: now.toISOString() };
}

/** A restore cut off by the agent stopping: kept with what it had done, its scratch database dropped at the next start. */
export function interruptedRestore(status: RestoreStatus, now: Date): RestoreStatus {
  const { step: _step, ...rest } = status;
  return {
    ...rest,
    state: 'interrupted',
    endedAt: now.toISOString(),
    errorCode: 'JOB_INTERRUPTED',
    errorMessage: INTERRUPTED_MESSAGE,
  };
}

export function restoreLogFields(status: RestoreStatus): LogFields {
  return {
    jobId: status.jobId,
    runId: status.runId,
    targetId: status.targetId,
    objectName: status.objectName,
    scratchDatabase: status.scratchDatabase,
    scratch: status.scratch,
    bytesDownloaded: status.bytesDownloaded,
    bytesRestored: status.bytesRestored,
    durationMs: status.durationMs,
    tables: status.tables.length,
    checksFailed: status.checks.filter((check) => !check.ok).map((check) => check.name),
    errorCode: status.errorCode,
  };
}

/**
 * Restores in the job table: one whose scratch database is still there — left by a stop, or kept as asked — is kept
 * until it is dropped, so the agent knows which scratch databases it may drop.
 */
export const RESTORE_JOBS: JobKind<RestoreStatus> = {
  noun: 'restore',
  title: (status) => `restore of ${status.objectName}`,
  logFields: restoreLogFields,
  interrupted: interruptedRestore,
  interruptedEvent: 'job.restore-interrupted',
  keep: (status) => status.scratch === 'created' || status.scratch === 'kept',
};
