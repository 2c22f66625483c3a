// The wait every run shares: read its agents' jobs every poll interval until each has ended or the run's budget is
// spent, whatever is still going then being left for later.
import { isFinal, type JobState } from '../../core/protocol.js';
import type { Clock } from './clock.js';

/** A job's last status (final, or not when the deadline came first), null when never read, or why it cannot be. */
export type LastSeen<S> = S | null | Error;

export interface PollOptions<T, S extends { state: JobState }> {
  clock: Clock;
  /** Epoch milliseconds. */
  deadline: number;
  intervalMs: number;
  jobs: readonly T[];
  /** One round of reads of the jobs still open, each recorded in `seen`. */
  round(open: T[], seen: Map<T, LastSeen<S>>): Promise<void>;
}

function settled<S extends { state: JobState }>(value: LastSeen<S> | undefined): boolean {
  return value instanceof Error || (value != null && isFinal(value.state));
}

export async function pollWithinBudget<T, S extends { state: JobState }>(
  options: PollOptions<T, S>,
): Promise<Map<T, LastSeen<S>>> {
  const { clock, deadline, intervalMs, jobs } = options;
  const seen = new Map<T, LastSeen<S>>(jobs.map((job) => [job, null]));
  const open = () => jobs.filter((job) => !settled(seen.get(job)));
  while (open().length > 0) {
    const remaining = deadline - clock.now().getTime();
    if (remaining <= 0) break;
    await clock.sleep(Math.min(intervalMs, remaining));
    await options.round(open(), seen);
  }
  return seen;
}
