// A job's deadlines: stopped when it has run too long, or when its source (the dump tool, the download) has moved no
// byte of its own accord for too long (stall-clock.ts), each with its own code, so a hung job ends as a failure
// (alerted, its session cancelled or its scratch database dropped) instead of holding its target forever.
import { BackupError } from '../../core/errors.js';
import { StallClock } from './stall-clock.js';

export interface Limits {
  maxDurationMinutes: number;
  stallMinutes: number;
}

export interface LimitWatch {
  /** The clock the job's pipeline stops while its source waits on what is downstream of it. */
  clock: StallClock;
  /** Told the source's byte count about once a second; a still source for stallMinutes stops the job. */
  progressed(bytes: number): void;
  stop(): void;
}

/**
 * Aborts `controller` with JOB_TIMEOUT or JOB_STALLED (a BackupError reason the pipeline reports as is); `still`
 * says what a stall is, in words that go on "… for N minutes": `the dump wrote nothing`.
 */
export function watchLimits(
  controller: AbortController,
  limits: Limits,
  still: string,
  now: () => number,
): LimitWatch {
  const abort = (code: 'JOB_TIMEOUT' | 'JOB_STALLED', message: string) => {
    if (!controller.signal.aborted) controller.abort(new BackupError(code, message));
  };
  const timer = setTimeout(
    () => abort('JOB_TIMEOUT', `the job ran longer than its limit of ${limits.maxDurationMinutes} minutes`),
    limits.maxDurationMinutes * 60_000,
  );
  timer.unref();
  const clock = new StallClock(now);
  let lastBytes = -1;
  return {
    clock,
    progressed(bytes) {
      if (bytes !== lastBytes) {
        lastBytes = bytes;
        clock.moved();
      } else if (clock.still() >= limits.stallMinutes * 60_000) {
        abort('JOB_STALLED', `${still} for ${limits.stallMinutes} minutes`);
      }
    },
    stop: () => clearTimeout(timer),
  };
}
