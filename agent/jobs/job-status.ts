// A backup job's state transitions as pure functions: queued, started, progressed, settled by an outcome, skipped,
// interrupted; and what sets backups apart in the job table.
import type { JobRequest, JobStatus } from '../../core/protocol.js';
import type { LogFields } from '../log/agent-log.js';
import type { Redact } from '../log/redact.js';
import type { StreamedBackup } from '../pipeline/stream-backup.js';
import type { JobKind } from './job-table.js';

export const INTERRUPTED_MESSAGE = 'the agent stopped before the job finished';

export function queuedStatus(jobId: string, request: JobRequest, now: Date): JobStatus {
  return {
    jobId,
    runId: request.runId,
    targetId: request.targetId,
    objectName: request.objectName,
    state: 'queued',
    queuedAt: now.toISOString(),
    bytesRead: 0,
    bytesUploaded: 0,
    exitCodes: {},
    stderrTail: [],
  };
}

export function runningStatus(status: JobStatus, now: Date): JobStatus {
  return { ...status, state: 'running', startedAt: now.toISOString() };
}

export function progressedStatus(status: JobStatus, bytesRead: number, bytesUploaded: number): JobStatus {
  return { ...status, bytesRead, bytesUploaded };
}

/** The job's end from the pipeline's outcome; every text that may echo a secret passes through `redact`. */
export function settledStatus(
  status: JobStatus,
  outcome: StreamedBackup,
  now: Date,
  redact: Redact,
): JobStatus {
  const settled: JobStatus = {
    ...status,
    state: outcome.ok ? 'succeeded' : 'failed',
    bytesRead: outcome.bytesRead,
    bytesUploaded: outcome.bytesUploaded,
    exitCodes: { ...outcome.exitCodes },
    endedAt: now.toISOString(),
    stderrTail: outcome.stderrTail.map(redact),
  };
  for (const hash of ['crc32c', 'md5', 'sha256'] as const) {
    if (outcome[hash] !== undefined) settled[hash] = outcome[hash];
  }
  if (outcome.binlog) settled.binlog = outcome.binlog;
  if (outcome.recipients) settled.recipients = outcome.recipients;
  if (!outcome.ok) {
    settled.errorCode = outcome.errorCode ?? 'INTERNAL';
    settled.errorMessage = redact(outcome.errorMessage ?? 'the backup failed');
  }
  return settled;
}

/** A job of a run that stopped at an earlier failure: never started, its session cancelled. */
export function skippedStatus(status: JobStatus, now: Date, reason: string): JobStatus {
  return { ...status, state: 'skipped', endedAt: now.toISOString(), errorMessage: reason };
}

/** A job cut off by the agent stopping: kept with what it had done, never lost or left `running`. */
export function interruptedStatus(status: JobStatus, now: Date): JobStatus {
  return {
    ...status,
    state: 'interrupted',
    endedAt: now.toISOString(),
    errorCode: 'JOB_INTERRUPTED',
    errorMessage: INTERRUPTED_MESSAGE,
  };
}

/** The fields of a job's log lines: who, what, how much, how long, and why it failed. */
export function jobLogFields(status: JobStatus, startedMs?: number, endMs?: number): LogFields {
  return {
    jobId: status.jobId,
    runId: status.runId,
    targetId: status.targetId,
    objectName: status.objectName,
    bytesRead: status.bytesRead,
    bytesUploaded: status.bytesUploaded,
    durationMs: startedMs === undefined || endMs === undefined ? undefined : endMs - startedMs,
    errorCode: status.errorCode,
  };
}

/** Backups in the job table. */
export const BACKUP_JOBS: JobKind<JobStatus> = {
  noun: 'job',
  title: (status) => `backup of ${status.targetId}`,
  logFields: (status) => jobLogFields(status),
  interrupted: interruptedStatus,
  interruptedEvent: 'job.interrupted',
};
