// Waits for a run's jobs to end, within the run's budget. Each agent's run is read in one signed request per
// round; an agent briefly away is not a failure; what is still going at the deadline is left to the watchdog.
import { errorCodeOf } from '../../core/errors.js';
import { isFinal, type JobStatus } from '../../core/protocol.js';
import type { RunContext } from './run-context.js';
import type { TrackedJob } from './submit-runs.js';

/** A job's last status (final, or not when the deadline came first), null when never read, or why it cannot be. */
export type Awaited = JobStatus | null | Error;

function settled(value: Awaited | undefined): boolean {
  return value instanceof Error || (value != null && isFinal(value.state));
}

export async function awaitJobs(
  ctx: RunContext,
  tracked: readonly TrackedJob[],
): Promise<Map<TrackedJob, Awaited>> {
  const seen = new Map<TrackedJob, Awaited>(tracked.map((job) => [job, null]));
  const { clock, logger } = ctx.deps;
  const open = () => tracked.filter((job) => !settled(seen.get(job)));
  while (open().length > 0) {
    const remaining = ctx.deadline - clock.now().getTime();
    if (remaining <= 0) break;
    await clock.sleep(Math.min(ctx.config.pollIntervalSeconds * 1000, remaining));
    const runs = new Map(open().map((job) => [`${job.agentUrl} ${job.runId}`, job]));
    for (const { agentUrl, runId } of runs.values()) {
      const waiting = open().filter((job) => job.agentUrl === agentUrl && job.runId === runId);
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
  }
  return seen;
}
