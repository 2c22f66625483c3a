// Waits for a run's restores to end, within the run's budget, reading each one's status every poll interval and
// showing its progress; an agent briefly away is not a failure, an answer that cannot be believed is.
import { errorCodeOf } from '../../core/errors.js';
import { isFinal } from '../../core/protocol.js';
import type { RestoreStatus } from '../../core/restore-protocol.js';
import type { RestoreContext } from './restore-context.js';
import type { TrackedRestore } from './submit-restore.js';

/** A restore's last status (final, or not when the deadline came first), null when never read, or why it cannot be. */
export type AwaitedRestore = RestoreStatus | null | Error;

function settled(value: AwaitedRestore | undefined): boolean {
  return value instanceof Error || (value != null && isFinal(value.state));
}

export async function awaitRestores(
  ctx: RestoreContext,
  tracked: readonly TrackedRestore[],
): Promise<Map<TrackedRestore, AwaitedRestore>> {
  const seen = new Map<TrackedRestore, AwaitedRestore>(tracked.map((job) => [job, null]));
  const { clock, logger } = ctx.deps;
  const open = () => tracked.filter((job) => !settled(seen.get(job)));
  while (open().length > 0) {
    const remaining = ctx.deadline - clock.now().getTime();
    if (remaining <= 0) break;
    await clock.sleep(Math.min(ctx.config.pollIntervalSeconds * 1000, remaining));
    for (const job of open()) {
      try {
        const status = await ctx.agent.restore(job.planned.target.agentUrl, job.jobId);
        seen.set(job, status);
        if (status) {
          ctx.deps.progress?.({
            kind: 'restore',
            targetId: status.targetId,
            jobId: status.jobId,
            state: status.state,
            ...(status.step && { step: status.step }),
            bytesDownloaded: status.bytesDownloaded,
            bytesRestored: status.bytesRestored,
            elapsedMs: clock.now().getTime() - ctx.startedAt,
          });
        }
      } catch (error) {
        if (errorCodeOf(error) === 'AGENT_UNREACHABLE') {
          logger.event('restore.poll-failed', (error as Error).message, {
            runId: ctx.runId,
            jobId: job.jobId,
          });
        } else seen.set(job, error as Error);
      }
    }
  }
  return seen;
}
