// Whether a job on an agent has outlived its limit, by its agent's word: the deadline its status carries (its
// target's maxDurationMinutes after it started). A job not started yet, or recorded by an agent that reports no
// deadline, is held to the agent's default limit from when it was queued or started.
import { DEFAULT_MAX_DURATION_MINUTES } from '../../core/job-deadline.js';

interface Timed {
  queuedAt?: string;
  startedAt?: string;
  deadline?: string;
}

export interface JobAge {
  /** Since it started, or was queued. */
  minutes: number;
  /** How long it may run. */
  limitMinutes: number;
  /** Past its deadline: its agent should have stopped it. */
  overdue: boolean;
}

export function jobAge(job: Timed, now: Date): JobAge {
  const since = Date.parse(job.startedAt ?? job.queuedAt ?? '');
  const minutes = Number.isNaN(since) ? 0 : (now.getTime() - since) / 60_000;
  const deadline = Date.parse(job.deadline ?? '');
  if (job.startedAt && !Number.isNaN(deadline)) {
    return { minutes, limitMinutes: (deadline - since) / 60_000, overdue: now.getTime() > deadline };
  }
  return {
    minutes,
    limitMinutes: DEFAULT_MAX_DURATION_MINUTES,
    overdue: minutes > DEFAULT_MAX_DURATION_MINUTES,
  };
}
