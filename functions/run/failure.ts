// A failed or interrupted agent job, or a thrown error, as the `error` of a target's report.
import { BackupError, errorCodeOf } from '../../core/errors.js';
import type { JobStatus } from '../../core/protocol.js';
import { AgentError } from '../agent/agent-error.js';
import type { TargetReport } from './report.js';

export type FailureInfo = NonNullable<TargetReport['error']>;

export function jobFailure(job: JobStatus): FailureInfo {
  const interrupted = job.state === 'interrupted';
  return {
    code: job.errorCode ?? (interrupted ? 'JOB_INTERRUPTED' : 'DUMP_FAILED'),
    message:
      job.errorMessage ??
      (interrupted ? 'the agent restarted while the job ran' : `the job ended ${job.state}`),
    stderrTail: job.stderrTail,
  };
}

/**
 * A thrown error: its own code when it is ours, INTERNAL (with the message) for anything else; a failed call to an
 * agent with what is known of the call.
 */
export function errorFailure(error: unknown): FailureInfo {
  return {
    code: errorCodeOf(error),
    message:
      error instanceof BackupError ? error.message : `internal error: ${(error as Error)?.message ?? error}`,
    ...(error instanceof AgentError && { agent: error.context }),
  };
}
