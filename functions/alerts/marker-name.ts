// The name of the bucket object that records a scheduled execution's one alert, so every retry of that execution
// finds the same marker.
import { backupDate } from '../../core/object-name.js';
import { RFC3339, SCHEDULE_HEADERS, type ScheduledExecution } from '../http/scheduled-execution.js';

/** The folder under the prefix that holds alert markers; no backup name can start with `_` (see NAME_RULE). */
const ALERT_FOLDER = '_alerts/';
const MAX_JOB_PART = 100;

/**
 * `<prefix>_alerts/<function>/<date>/<job>/<time>`: the kind of run, the execution's date in the backup time zone,
 * the job name reduced to letters, digits, `.`, `_` and `-` (a full resource name `projects/p/locations/l/jobs/j`
 * becomes one segment), the time normalised to UTC so `Z` and `+00:00` name the same execution. Throws an Error
 * saying which header is unusable; the caller then alerts without dedupe.
 */
export function alertMarkerName(
  prefix: string,
  kind: string,
  timeZone: string,
  execution: ScheduledExecution,
): string {
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
  const at = new Date(millis);
  const time = at.toISOString().replaceAll(':', '-');
  return `${prefix}${ALERT_FOLDER}${kind}/${backupDate(at, timeZone)}/${job}/${time}`;
}
