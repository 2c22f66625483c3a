// Signed HTTP calls to a database VM's agent: start a job, read a job, find a run's or a target's latest job.
import type { z } from 'zod';
import { BackupError } from '../../core/errors.js';
import {
  AGENT_PATHS,
  errorBodySchema,
  type JobRequest,
  type JobStatus,
  jobAcceptedSchema,
  jobStatusSchema,
} from '../../core/protocol.js';
import { type SigningKey, sign } from '../../core/signing/index.js';
import type { FunctionConfig } from '../config/schema.js';
import type { FunctionDeps } from '../deps.js';

export interface AgentClientDeps {
  fetch: typeof fetch;
  signingKey: SigningKey;
  now: () => Date;
  timeoutMs: number;
}

export interface AgentClient {
  submit(agentUrl: string, request: JobRequest): Promise<string>;
  status(agentUrl: string, jobId: string): Promise<JobStatus>;
  /** The latest job matching the query, or null when the agent knows none. */
  find(agentUrl: string, query: { runId?: string; targetId: string }): Promise<JobStatus | null>;
}

/** `https://vm:8443/base` + `/v1/jobs`: an agent may sit under a path. */
function agentUrlFor(agentUrl: string, path: string): string {
  return agentUrl.replace(/\/+$/, '') + path;
}

/** The agent's own error code and message, or the status alone; never the request (it is signed). */
async function refusal(
  response: Response,
  where: string,
): Promise<{ agentCode: string; error: BackupError }> {
  const parsed = errorBodySchema.safeParse(await response.json().catch(() => null));
  const agentCode = parsed.success ? parsed.data.error.code : `HTTP ${response.status}`;
  const message = parsed.success ? parsed.data.error.message : response.statusText;
  const error =
    response.status === 401
      ? new BackupError(
          'AGENT_REJECTED',
          `the agent at ${where} refused the request's signature (${agentCode})`,
        )
      : agentCode === 'JOB_CONFLICT'
        ? new BackupError('JOB_CONFLICT', `the agent at ${where}: ${message}`)
        : new BackupError(
            'AGENT_REJECTED',
            `the agent at ${where} answered ${response.status} ${agentCode}: ${message}`,
          );
  return { agentCode, error };
}

export function createAgentClient(deps: AgentClientDeps): AgentClient {
  const call = async (agentUrl: string, method: 'GET' | 'POST', path: string, body = '') => {
    const url = agentUrlFor(agentUrl, path);
    const where = new URL(agentUrl).host;
    const headers = { 'content-type': 'application/json' };
    const signature = sign({ method, url, headers, body }, deps.signingKey, deps.now());
    let response: Response;
    try {
      response = await deps.fetch(url, {
        method,
        headers: { ...headers, ...signature },
        ...(method === 'POST' && { body }),
        signal: AbortSignal.timeout(deps.timeoutMs),
      });
    } catch (cause) {
      const reason =
        cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : '';
      throw new BackupError('AGENT_UNREACHABLE', `the agent at ${where} did not answer: ${reason}`, {
        cause,
      });
    }
    return { response, where };
  };

  const parsed = async <T>(response: Response, where: string, schema: z.ZodType<T>): Promise<T> => {
    const result = schema.safeParse(await response.json().catch(() => null));
    if (!result.success) {
      throw new BackupError('AGENT_REJECTED', `the agent at ${where} gave an answer outside the protocol`);
    }
    return result.data;
  };

  return {
    async submit(agentUrl, request) {
      const { response, where } = await call(agentUrl, 'POST', AGENT_PATHS.jobs, JSON.stringify(request));
      if (response.status !== 202) throw (await refusal(response, where)).error;
      return (await parsed(response, where, jobAcceptedSchema)).jobId;
    },
    async status(agentUrl, jobId) {
      const { response, where } = await call(agentUrl, 'GET', AGENT_PATHS.job(jobId));
      if (!response.ok) throw (await refusal(response, where)).error;
      return parsed(response, where, jobStatusSchema);
    },
    async find(agentUrl, query) {
      const params = new URLSearchParams({
        ...(query.runId && { runId: query.runId }),
        targetId: query.targetId,
      });
      const { response, where } = await call(agentUrl, 'GET', `${AGENT_PATHS.jobs}?${params}`);
      if (!response.ok) {
        const { agentCode, error } = await refusal(response, where);
        if (agentCode === 'JOB_UNKNOWN') return null;
        throw error;
      }
      return parsed(response, where, jobStatusSchema);
    },
  };
}

/** The client a run uses: the configured key and time-out, the run's fetch and clock. */
export function agentClientFor(
  config: Pick<FunctionConfig, 'signingKey' | 'agentTimeoutSeconds'>,
  deps: Pick<FunctionDeps, 'fetch' | 'clock'>,
): AgentClient {
  return createAgentClient({
    fetch: deps.fetch,
    signingKey: config.signingKey,
    now: () => deps.clock.now(),
    timeoutMs: config.agentTimeoutSeconds * 1000,
  });
}
