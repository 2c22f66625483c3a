// How long a job (a backup, or a restore) may run: its target's maxDurationMinutes in the agent's config, this by
// default. The agent stops the job then, and its status says when (`deadline`): the one limit by which the agent
// stops a job and the function's watchdog tells a slow job from a stuck one.
export const DEFAULT_MAX_DURATION_MINUTES = 180;

/** The deadline of a job started at `startedAt` that may run `maxDurationMinutes`. */
export function deadlineAfter(startedAt: Date, maxDurationMinutes: number): string {
  return new Date(startedAt.getTime() + maxDurationMinutes * 60_000).toISOString();
}
