// An object under a backup's name is ours only when proven: a job of ours, as its agent (whose answers are
// signed) reports it, wrote exactly these bytes, and the object was made while that backup's day could make it.
// Metadata alone proves nothing: anyone who may create objects in the bucket may also write metadata.
import { DateTime } from 'luxon';
import { BackupError } from '../../core/errors.js';
import { DEFAULT_MAX_DURATION_MINUTES } from '../../core/job-deadline.js';
import type { JobStatus } from '../../core/protocol.js';
import type { AgentClient } from '../agent/agent-client.js';
import type { Target } from '../config/schema.js';
import type { ObjectInfo } from '../storage/objects.js';

/** What differs between the stored object and what the agent counted; null when they agree. */
export function findMismatch(
  info: Pick<ObjectInfo, 'size' | 'crc32c' | 'md5Hash'>,
  job: Pick<JobStatus, 'bytesUploaded' | 'crc32c' | 'md5'>,
): string | null {
  if (info.size !== job.bytesUploaded) {
    return `the object has ${info.size} bytes, the agent uploaded ${job.bytesUploaded}`;
  }
  if (!job.crc32c || !job.md5) return 'the agent reported no crc32c or md5 to check the object against';
  if (info.crc32c !== job.crc32c)
    return `the object's crc32c is ${info.crc32c}, the agent's is ${job.crc32c}`;
  if (info.md5Hash !== job.md5) return `the object's md5 is ${info.md5Hash}, the agent's is ${job.md5}`;
  return null;
}

/** The backup's day: its date, yyyyMMdd, in `timeZone`. */
export interface BackupDay {
  date: string;
  timeZone: string;
}

export interface ProofWindow extends BackupDay {
  /** A backup started late on its day may finish on the next: this much past midnight still counts. */
  graceMinutes: number;
}

/** Whether `timeCreated` falls within the backup's day (plus the grace); a reason when it does not. */
export function outsideDay(timeCreated: string, window: ProofWindow): string | null {
  const day = DateTime.fromFormat(window.date, 'yyyyMMdd', { zone: window.timeZone });
  const created = DateTime.fromISO(timeCreated, { zone: window.timeZone });
  const end = day.plus({ days: 1, minutes: window.graceMinutes });
  if (created.isValid && created >= day && created < end) return null;
  return `it was created ${timeCreated}, outside its date ${window.date} (${window.timeZone})`;
}

/**
 * The window a job's object may have been made in: its day, and past midnight until the job's deadline (when its
 * agent would have stopped it); for a job recorded without one, the agent's default limit past midnight.
 */
export function windowOf(day: BackupDay, job: Pick<JobStatus, 'deadline'>): ProofWindow {
  const deadline = Date.parse(job.deadline ?? '');
  if (Number.isNaN(deadline)) return { ...day, graceMinutes: DEFAULT_MAX_DURATION_MINUTES };
  const midnight = DateTime.fromFormat(day.date, 'yyyyMMdd', { zone: day.timeZone }).plus({ days: 1 });
  return { ...day, graceMinutes: Math.max(0, (deadline - midnight.toMillis()) / 60_000) };
}

/** The job that wrote `info`, or OBJECT_UNPROVEN saying what did not match. */
export async function proveObject(
  agent: AgentClient,
  target: Target,
  info: ObjectInfo,
  day: BackupDay,
): Promise<JobStatus> {
  const unproven = (why: string): never => {
    throw new BackupError(
      'OBJECT_UNPROVEN',
      `${info.name} (generation ${info.generation}) is not proven ours: ${why}`,
    );
  };
  const { jobId, runId } = info.metadata;
  let job: JobStatus | null = null;
  if (jobId) job = await agent.job(target.agentUrl, jobId);
  else if (runId)
    job = (await agent.run(target.agentUrl, runId))?.jobs.find((j) => j.targetId === target.id) ?? null;
  if (!job) return unproven(`its agent knows no job of run ${runId ?? '(none)'} that wrote it`);
  if (job.targetId !== target.id || job.objectName !== info.name) {
    return unproven(`job ${job.jobId} wrote ${job.objectName} for ${job.targetId}, not this object`);
  }
  if (job.state !== 'succeeded') return unproven(`job ${job.jobId} ended ${job.state}`);
  const mismatch = findMismatch(info, job) ?? outsideDay(info.timeCreated, windowOf(day, job));
  if (mismatch) return unproven(mismatch);
  return job;
}
