// The wait every run shares, for backups and restores alike: its agents' jobs read every poll interval until each
// has ended or the run's budget is spent, each read shown to a caller who watches; an agent briefly away is logged
// and asked again, an answer that cannot be believed ends those jobs. Then each job's outcome, from its last status.
import { errorCodeOf } from '../../core/errors.js';
import { isFinal, type JobState } from '../../core/protocol.js';
import { agentErrorFields } from '../agent/agent-error.js';
import type { LogFields } from '../logging/logger.js';
import type { ProgressEvent } from './deps.js';
import type { RunContext } from './run-context.js';

/** A job's last status (final, or not when the deadline came first), null when never read, or why it cannot be. */
export type LastSeen<S> = S | null | Error;

/** One call to an agent that reads some of the open jobs. */
export interface JobRead<T, S> {
  jobs: readonly T[];
  /** Each job's status in the agent's answer, null when the agent knows none. */
  read(): Promise<(job: T) => S | null>;
  /** What the call was, for the line that says it failed. */
  fields: LogFields;
}

export interface JobWatch<T, S extends { state: JobState }, R> {
  kind: 'backup' | 'restore';
  /** The calls that read the jobs still open. */
  reads(open: T[]): JobRead<T, S>[];
  /** What a caller who watches is shown of a job's status. */
  progress(job: T, status: S): Omit<ProgressEvent, 'kind' | 'elapsedMs'>;
  /** The job's outcome from its last status, once the wait is over. */
  outcome(job: T, last: LastSeen<S>): Promise<R>;
}

function ended<S extends { state: JobState }>(value: LastSeen<S> | undefined): boolean {
  return value instanceof Error || (value != null && isFinal(value.state));
}

async function readRound<T, S extends { state: JobState }, R>(
  ctx: RunContext,
  watch: JobWatch<T, S, R>,
  open: T[],
  seen: Map<T, LastSeen<S>>,
): Promise<void> {
  const { clock, logger, progress } = ctx.deps;
  for (const call of watch.reads(open)) {
    try {
      const statusOf = await call.read();
      for (const job of call.jobs) {
        const status = statusOf(job);
        seen.set(job, status);
        if (status) {
          const elapsedMs = clock.now().getTime() - ctx.startedAt;
          progress?.({ kind: watch.kind, ...watch.progress(job, status), elapsedMs });
        }
      }
    } catch (error) {
      if (errorCodeOf(error) === 'AGENT_UNREACHABLE') {
        logger.event(`${watch.kind}.poll-failed`, (error as Error).message, {
          runId: ctx.runId,
          ...call.fields,
          ...agentErrorFields(error),
        });
      } else {
        // An answer that cannot be believed ends nothing well: those jobs fail, and the admin hears of it.
        for (const job of call.jobs) seen.set(job, error as Error);
      }
    }
  }
}

/** Each job's outcome, in the order of `jobs`, once every job ended or the run's budget was spent. */
export async function awaitJobs<T, S extends { state: JobState }, R>(
  ctx: RunContext,
  jobs: readonly T[],
  watch: JobWatch<T, S, R>,
): Promise<Map<T, R>> {
  const { clock } = ctx.deps;
  const intervalMs = ctx.config.pollIntervalSeconds * 1000;
  const seen = new Map<T, LastSeen<S>>(jobs.map((job) => [job, null]));
  const open = () => jobs.filter((job) => !ended(seen.get(job)));
  while (open().length > 0) {
    const remaining = ctx.deadline - clock.now().getTime();
    if (remaining <= 0) break;
    await clock.sleep(Math.min(intervalMs, remaining));
    await readRound(ctx, watch, open(), seen);
  }
  const outcomes = new Map<T, R>();
  for (const job of jobs) outcomes.set(job, await watch.outcome(job, seen.get(job) ?? null));
  return outcomes;
}
