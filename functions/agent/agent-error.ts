// What went wrong with a call to an agent, as ky's HTTPError keeps its request and response: a fixed code, a
// sentence for people, and where and what as fields — the agent's host, the HTTP status, the agent's own code, the
// job or run asked about — which reports carry and logs record as fields, with the original error as `cause`.
import { BackupError, type ErrorCode } from '../../core/errors.js';
import type { LogFields } from '../logging/logger.js';

/** The call: which agent, and what it was asked about. */
export interface AgentCall {
  /** host:port, as the agent's url names it. */
  host: string;
  /** The job or restore the call reads or stops. */
  jobId?: string;
  /** The agent run the call reads. */
  runId?: string;
}

/** What is known of a failed call, as a report's error and a log line carry it. */
export interface AgentErrorContext extends AgentCall {
  /** The HTTP status the agent answered with, when it answered. */
  status?: number;
  /** The agent's own error code, when its answer held one. */
  agentCode?: string;
}

export class AgentError extends BackupError {
  override readonly name = 'AgentError';

  constructor(
    code: ErrorCode,
    message: string,
    readonly context: AgentErrorContext,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** The agent context of an error as log fields; none for an error that is not an agent's. */
export function agentFields(context: AgentErrorContext | undefined): LogFields {
  if (!context) return {};
  return {
    agentHost: context.host,
    httpStatus: context.status,
    agentCode: context.agentCode,
    agentJobId: context.jobId,
    agentRunId: context.runId,
  };
}

/** The same, from any thrown value. */
export function agentErrorFields(error: unknown): LogFields {
  return agentFields(error instanceof AgentError ? error.context : undefined);
}

/**
 * The agent's refusal of what a person asked — one of `codes`, e.g. a scratch database it does not allow — as the
 * refusal of the request itself, under the agent's code and in its words; undefined for any other error.
 */
export function passedRefusal(error: unknown, codes: readonly ErrorCode[]): BackupError | undefined {
  const said = error instanceof AgentError ? error.context.agentCode : undefined;
  const code = codes.find((known) => known === said);
  return code ? new BackupError(code, (error as Error).message, { cause: error }) : undefined;
}
