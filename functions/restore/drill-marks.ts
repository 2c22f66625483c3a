// What a drill records on the object it restored, in custom metadata: the agent's job while it runs, then whether
// it passed (and when) or how it failed — what `list` shows, and how the next run finds a drill left running.
import type { RestoreStatus } from '../../core/restore-protocol.js';
import type { ObjectInfo } from '../storage/objects.js';

const DRILL_JOB_KEY = 'drillJobId';
/** When the drill was handed to its agent: past the job time-out with no readable answer, it failed. */
const DRILL_SUBMITTED_KEY = 'drillSubmittedAt';
export const DRILL_STATE_KEY = 'drillState';
/** When the object last passed a drill: restored into a scratch database and validated. */
export const DRILLED_KEY = 'drilledAt';
export const DRILL_FAILED_KEY = 'drillFailed';
export const DRILL_RECOVERY_KEY = 'drillRecoveryMs';

export type DrillState = 'running' | 'passed' | 'failed';

/** The marks of a drill just handed to the agent. */
export function drillSubmitted(jobId: string, now: Date): Record<string, string> {
  return {
    [DRILL_JOB_KEY]: jobId,
    [DRILL_STATE_KEY]: 'running' satisfies DrillState,
    [DRILL_SUBMITTED_KEY]: now.toISOString(),
  };
}

/** The marks of a drill that ended. */
export function drillEnded(
  status: Pick<RestoreStatus, 'state' | 'errorCode' | 'errorMessage' | 'durationMs'>,
  now: Date,
): Record<string, string | null> {
  if (status.state === 'succeeded') {
    return {
      [DRILL_STATE_KEY]: 'passed' satisfies DrillState,
      [DRILLED_KEY]: now.toISOString(),
      [DRILL_RECOVERY_KEY]: String(status.durationMs ?? ''),
      // An earlier failure of the same object is over.
      [DRILL_FAILED_KEY]: null,
    };
  }
  const why = `${status.errorCode ?? status.state}: ${status.errorMessage ?? ''}`.slice(0, 500);
  return { [DRILL_STATE_KEY]: 'failed' satisfies DrillState, [DRILL_FAILED_KEY]: why };
}

/** The agent's job of a drill still recorded as running on the object, if any. */
export function pendingDrill(info: ObjectInfo): string | undefined {
  return info.metadata[DRILL_STATE_KEY] === 'running' ? info.metadata[DRILL_JOB_KEY] : undefined;
}

/**
 * Minutes since the drill was handed to its agent. A drill marked without the time (from before it was recorded),
 * or with one that is not a time or is still to come, counts as long past: a mark cannot keep a drill alive.
 */
export function minutesSinceSubmitted(info: ObjectInfo, now: Date): number {
  const at = Date.parse(info.metadata[DRILL_SUBMITTED_KEY] ?? '');
  return Number.isFinite(at) && at <= now.getTime()
    ? (now.getTime() - at) / 60_000
    : Number.POSITIVE_INFINITY;
}
