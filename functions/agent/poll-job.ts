// Waits for an agent job to reach a final state, within the run's deadline; an agent briefly away is not a failure.
import { errorCodeOf } from '../../core/errors.js';
import { FINAL_JOB_STATES, type JobStatus } from '../../core/protocol.js';
import type { Clock } from '../deps.js';
import type { AgentClient } from './agent-client.js';

export interface PollOptions {
  clock: Clock;
  /** Epoch milliseconds after which the job is left to the watchdog. */
  deadline: number;
  intervalMs: number;
  /** Told of each poll the agent did not answer; polling goes on until the deadline. */
  onUnreachable: (error: Error) => void;
}

/** The job's final status, or null when the deadline came first. */
export async function pollJob(
  agent: AgentClient,
  agentUrl: string,
  jobId: string,
  options: PollOptions,
): Promise<JobStatus | null> {
  for (;;) {
    const remaining = options.deadline - options.clock.now().getTime();
    if (remaining <= 0) return null;
    await options.clock.sleep(Math.min(options.intervalMs, remaining));
    try {
      const status = await agent.status(agentUrl, jobId);
      if (FINAL_JOB_STATES.includes(status.state)) return status;
    } catch (error) {
      if (errorCodeOf(error) !== 'AGENT_UNREACHABLE') throw error;
      options.onUnreachable(error as Error);
    }
  }
}
