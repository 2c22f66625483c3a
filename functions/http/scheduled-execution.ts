// Whether a call came from Cloud Scheduler, and which scheduled execution it belongs to (its headers, the same on
// every retry): believed only from Cloud Scheduler's own verified identity and for a recent time.

/** Sent by Cloud Scheduler on every attempt; identical across the retries of one scheduled execution. */
export const SCHEDULE_HEADERS = {
  jobName: 'x-cloudscheduler-jobname',
  scheduleTime: 'x-cloudscheduler-scheduletime',
} as const;

export interface ScheduledExecution {
  /** As sent, for logs. */
  jobName: string;
  scheduleTime: string;
}

export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/i;
/** Retries of one execution come within this long of its time; a time outside it is not this execution's. */
const RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** Who Cloud Run authenticated: the e-mail in the OIDC token it verified (and forwards with the signature removed). */
export function verifiedCaller(header: (name: string) => string | undefined): string | undefined {
  for (const name of ['x-serverless-authorization', 'authorization']) {
    const token = /^Bearer ([\w-]+)\.([\w-]+)\.SIGNATURE_REMOVED_BY_GOOGLE$/.exec(header(name)?.trim() ?? '');
    if (!token) continue;
    try {
      const claims = JSON.parse(Buffer.from(token[2] as string, 'base64url').toString('utf8'));
      if (typeof claims.email === 'string' && claims.email_verified === true) return claims.email;
    } catch {
      // Not a token Cloud Run forwarded.
    }
  }
  return undefined;
}

/**
 * The execution a request belongs to; undefined for an on-demand run, and for anyone but Cloud Scheduler's own
 * account (`scheduler`) claiming to be it, or a time not within a day before now: otherwise any invoker could
 * claim a future night's marker and silence that night's alert.
 */
export function scheduledExecution(
  header: (name: string) => string | undefined,
  scheduler: string | undefined,
  now: Date,
): ScheduledExecution | undefined {
  const jobName = header(SCHEDULE_HEADERS.jobName)?.trim();
  const scheduleTime = header(SCHEDULE_HEADERS.scheduleTime)?.trim();
  if (!jobName || !scheduleTime || !scheduler || verifiedCaller(header) !== scheduler) return undefined;
  const at = RFC3339.test(scheduleTime) ? Date.parse(scheduleTime) : Number.NaN;
  const age = now.getTime() - at;
  if (!(age >= -CLOCK_SKEW_MS && age <= RETRY_WINDOW_MS)) return undefined;
  return { jobName, scheduleTime };
}
