// Waits for a run's restores to end, within the run's budget, reading each one's status every poll interval and
// showing its progress; an agent briefly away is not a failure, an answer that cannot be believed is.
import { errorCodeOf } from '../../core/errors.js';
import type { RestoreStatus } from '../../core/restore-protocol.js';
import { type LastSeen, pollWithinBudget } from '../run/poll-within-budget.js';
import type { RestoreContext } from './restore-context.js';
import type { TrackedRestore } from './submit-restore.js';

export type AwaitedRestore = LastSeen<RestoreStatus>;

export function awaitRestores(
  ctx: RestoreContext,
  tracked: readonly TrackedRestore[],
): Promise<Map<TrackedRestore, AwaitedRestore>> {
  const { clock, logger } = ctx.deps;
  return pollWithinBudget<TrackedRestore, RestoreStatus>({
    clock,
    deadline: ctx.deadline,
    intervalMs: ctx.config.pollIntervalSeconds * 1000,
    jobs: tracked,
    async round(open, seen) {
      for (const job of open) {
        try {
          const status = await ctx.agent.restore(job.planned.target.agentUrl, job.jobId);
          seen.set(job, status);
          if (!status) continue;
          const { targetId, jobId, state, step, bytesDownloaded, bytesRestored } = status;
          const elapsedMs = clock.now().getTime() - ctx.startedAt;
          ctx.deps.progress?.({
            kind: 'restore',
            targetId,
            jobId,
            state,
            ...(step && { step }),
            bytesDownloaded,
            bytesRestored,
            objectBytes: job.backup.info.size,
            elapsedMs,
          });
        } catch (error) {
          if (errorCodeOf(error) === 'AGENT_UNREACHABLE') {
            logger.event('restore.poll-failed', (error as Error).message, {
              runId: ctx.runId,
              jobId: job.jobId,
            });
          } else seen.set(job, error as Error);
        }
      }
    },
  });
}
