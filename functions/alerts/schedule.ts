// Which scheduled execution a run belongs to (Cloud Scheduler's headers, the same on every retry), and the name
// of the bucket object that records that execution's one alert.

/** Sent by Cloud Scheduler on every attempt; identical across the retries of one scheduled execution. */
export const SCHEDULE_HEADERS = {
  jobName: 'x-cloudscheduler-jobname',
  scheduleTime: 'x-cloudscheduler-scheduletime',
} as const;

/** The folder under the prefix that holds alert markers; no backup name can start with `_` (see NAME_RULE). */
export const ALERT_FOLDER = '_alerts/';

export interface ScheduledExecution {
  /** As sent, for logs. */
  jobName: string;
  scheduleTime: string;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/i;
const MAX_JOB_PART = 100;

/** The execution a request belongs to; undefined without both headers (an on-demand run). */
export function scheduledExecution(
  header: (name: string) => string | undefined,
): ScheduledExecution | undefined {
  const jobName = header(SCHEDULE_HEADERS.jobName)?.trim();
  const scheduleTime = header(SCHEDULE_HEADERS.scheduleTime)?.trim();
  return jobName && scheduleTime ? { jobName, scheduleTime } : undefined;
}

/**
 * `<prefix>_alerts/<job>/<time>`: the job name reduced to letters, digits, `.`, `_` and `-` (a full resource
 * name `projects/p/locations/l/jobs/j` becomes one segment), the time normalised to UTC so `Z` and `+00:00`
 * name the same execution. Throws an Error saying which header is unusable; the caller then alerts without dedupe.
 */
export function alertMarkerName(prefix: string, execution: ScheduledExecution): string {
  const job = execution.jobName
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, MAX_JOB_PART);
  if (!/[A-Za-z0-9]/.test(job)) {
    throw new Error(`${SCHEDULE_HEADERS.jobName} ${JSON.stringify(execution.jobName)} has no usable name`);
  }
  const millis = RFC3339.test(execution.scheduleTime) ? Date.parse(execution.scheduleTime) : Number.NaN;
  if (!Number.isFinite(millis)) {
    throw new Error(
      `${SCHEDULE_HEADERS.scheduleTime} ${JSON.stringify(execution.scheduleTime.slice(0, 64))} is not an RFC 3339 time`,
    );
  }
  const time = new Date(millis).toISOString().replaceAll(':', '-');
  return `${prefix}${ALERT_FOLDER}${job}/${time}`;
}
