// A job's deadlines: stopped when it has run too long or its dump has written nothing for too long, each with its
// own code, so a hung dump ends as a failure (alerted, its session cancelled) instead of holding its target forever.
import { BackupError } from '../../core/errors.js';

export interface Limits {
  maxDurationMinutes: number;
  stallMinutes: number;
}

export interface LimitWatch {
  /** Told the dump's byte count about once a second; an unchanged count for stallMinutes stops the job. */
  progressed(bytesRead: number): void;
  stop(): void;
}

/** Aborts `controller` with JOB_TIMEOUT or JOB_STALLED (a BackupError reason the pipeline reports as is). */
export function watchLimits(controller: AbortController, limits: Limits, now: () => number): LimitWatch {
  const maxMs = limits.maxDurationMinutes * 60_000;
  const stallMs = limits.stallMinutes * 60_000;
  const abort = (code: 'JOB_TIMEOUT' | 'JOB_STALLED', message: string) => {
    if (!controller.signal.aborted) controller.abort(new BackupError(code, message));
  };
  const timer = setTimeout(
    () => abort('JOB_TIMEOUT', `the job ran longer than its limit of ${limits.maxDurationMinutes} minutes`),
    maxMs,
  );
  timer.unref();
  let lastBytes = -1;
  let lastChange = now();
  return {
    progressed(bytesRead) {
      if (bytesRead !== lastBytes) {
        lastBytes = bytesRead;
        lastChange = now();
      } else if (now() - lastChange >= stallMs) {
        abort('JOB_STALLED', `the dump wrote nothing for ${limits.stallMinutes} minutes`);
      }
    },
    stop: () => clearTimeout(timer),
  };
}
