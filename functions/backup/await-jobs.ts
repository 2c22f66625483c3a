// Waits for a run's jobs to end, within the run's budget. Each agent's run is read in one signed request per
// round; an agent briefly away is not a failure; what is still going at the deadline is left to the watchdog.
import { errorCodeOf } from '../../core/errors.js';
import type { JobStatus } from '../../core/protocol.js';
import { type LastSeen, pollWithinBudget } from '../run/poll-within-budget.js';
import type { RunContext } from './run-context.js';
import type { TrackedJob } from './submit-runs.js';

/** A job's last status (final, or not when the deadline came first), null when never read, or why it cannot be. */
export type Awaited = LastSeen<JobStatus>;

export function awaitJobs(
  ctx: RunContext,
  tracked: readonly TrackedJob[],
): Promise<Map<TrackedJob, Awaited>> {
  const { clock, logger } = ctx.deps;
  return pollWithinBudget<TrackedJob, JobStatus>({
    clock,
    deadline: ctx.deadline,
    intervalMs: ctx.config.pollIntervalSeconds * 1000,
    jobs: tracked,
    async round(open, seen) {
      const runs = new Map(open.map((job) => [`${job.agentUrl} ${job.runId}`, job]));
      for (const { agentUrl, runId } of runs.values()) {
        const waiting = open.filter((job) => job.agentUrl === agentUrl && job.runId === runId);
        try {
          const run = await ctx.agent.run(agentUrl, runId);
          for (const job of waiting) {
            const status = run?.jobs.find((candidate) => candidate.jobId === job.jobId) ?? null;
            seen.set(job, status);
            if (status) {
              const { targetId, jobId, state, bytesRead, bytesUploaded } = status;
              const elapsedMs = clock.now().getTime() - ctx.startedAt;
              ctx.deps.progress?.({
                kind: 'backup',
                targetId,
                jobId,
                state,
                bytesRead,
                bytesUploaded,
                elapsedMs,
              });
            }
          }
        } catch (error) {
          if (errorCodeOf(error) === 'AGENT_UNREACHABLE') {
            logger.event('backup.poll-failed', (error as Error).message, {
              runId: ctx.runId,
              agentRunId: runId,
            });
          } else {
            // An answer that cannot be believed settles nothing: those jobs fail, and the admin hears of it.
            for (const job of waiting) seen.set(job, error as Error);
          }
        }
      }
    },
  });
}
