// Signed HTTP calls to a database VM's agent: submit a run, read a run or a job, find a job, cancel a job; submit a
// restore, read it, cancel it; drop a scratch database a restore kept; ask whether a target's binary logs can be
// shipped, list its closed logs and ship one. Every answer is believed only once verified as that agent's signed
// answer to the request (agent-trust.ts).
import type { z } from 'zod';
import {
  type ClosedLogs,
  closedLogsSchema,
  type ShipRequest,
  type ShipResult,
  shipResultSchema,
} from '../../core/binlog-protocol.js';
import { errorCodeOf } from '../../core/errors.js';
import {
  AGENT_PATHS,
  type BinlogReady,
  type BusyJob,
  binlogReadySchema,
  type CanaryRequest,
  type CanaryResult,
  errorBodySchema,
  type Identities,
  identitiesSchema,
  type JobStatus,
  jobStatusSchema,
  type Pong,
  pongSchema,
  type RunAccepted,
  type RunRequest,
  type RunStatus,
  runAcceptedSchema,
  runStatusSchema,
  type StorageRoute,
  storageRouteSchema,
  streamResultSchema,
} from '../../core/protocol.js';
import {
  type DropScratchRequest,
  type RestoreAccepted,
  type RestoreRequestInput,
  type RestoreStatus,
  restoreAcceptedSchema,
  restoreStatusSchema,
} from '../../core/restore-protocol.js';
import { type SigningKey, sign, verifyResponse } from '../../core/signing/index.js';
import type { FunctionConfig } from '../config/schema.js';
import type { Clock } from '../run/clock.js';
import { type AgentCall, AgentError } from './agent-error.js';
import { type AgentTrust, trustedAgents } from './agent-trust.js';

export interface AgentClientDeps {
  fetch: typeof fetch;
  signingKey: SigningKey;
  now: () => Date;
  timeoutMs: number;
  /** What is trusted of the agent at a url: its answer key, its TLS. */
  trust: (agentUrl: string) => AgentTrust;
}

/** What submitting a run came to: accepted, or refused because some targets are busy with other jobs. */
export type Submission = { kind: 'accepted'; accepted: RunAccepted } | { kind: 'busy'; busy: BusyJob[] };

/** What submitting a restore came to: accepted, or refused because the target is busy with another restore. */
export type RestoreSubmission =
  | { kind: 'accepted'; accepted: RestoreAccepted }
  | { kind: 'busy'; busy: BusyJob };

export interface AgentClient {
  submitRun(agentUrl: string, run: RunRequest): Promise<Submission>;
  /** Every job of the run, or null when the agent knows none. */
  run(agentUrl: string, runId: string): Promise<RunStatus | null>;
  job(agentUrl: string, jobId: string): Promise<JobStatus | null>;
  /** The latest job writing `objectName`, or null. */
  find(agentUrl: string, targetId: string, objectName: string): Promise<JobStatus | null>;
  /** Asks the agent to stop a job; resolves with its state as the agent answered it. */
  cancel(agentUrl: string, jobId: string): Promise<JobStatus>;
  submitRestore(agentUrl: string, request: RestoreRequestInput): Promise<RestoreSubmission>;
  /** A restore's status, or null when the agent knows none. */
  restore(agentUrl: string, jobId: string): Promise<RestoreStatus | null>;
  /** Asks the agent to stop a restore; resolves with its state as the agent answered it. */
  cancelRestore(agentUrl: string, jobId: string): Promise<RestoreStatus>;
  /** Asks the agent to drop a scratch database one of its restores kept; the record of that restore, now dropped. */
  dropScratch(agentUrl: string, request: DropScratchRequest): Promise<RestoreStatus>;
  /** Whether the target's binary logs can be shipped; its refusal (agentCode BINLOG_NOT_READY) names the setting. */
  binlogReadiness(agentUrl: string, targetId: string): Promise<BinlogReady>;
  /** The closed binary logs of the target's server, after the agent flushed the open one (refused as above). */
  closedLogs(agentUrl: string, targetId: string): Promise<ClosedLogs>;
  /** Ships one closed log into `request.uploadUri`; the agent's signed account of it, a failure included. */
  shipLog(agentUrl: string, targetId: string, request: ShipRequest): Promise<ShipResult>;
  /** The agent's own check of its route to the storage origin. */
  storageRoute(agentUrl: string): Promise<StorageRoute>;
  /** Streams a canary through the agent's backup chain into `request.uploadUri`; its signed account of it. */
  canary(agentUrl: string, request: CanaryRequest): Promise<CanaryResult>;
  /** A signed ping: the agent's signed pong, or its signed refusal (a key it does not trust, a clock apart). */
  ping(agentUrl: string): Promise<PingAnswer>;
  /** The fingerprints of the recipients the agent's age identities open. */
  identities(agentUrl: string): Promise<Identities>;
}

/** A ping's answer, with the three instants that place the agent's clock against the function's. */
export interface PingAnswer {
  sentAt: Date;
  receivedAt: Date;
  /** The agent's clock, to the second, from its answer's signature: read from a refusal too. */
  signedAt: Date;
  pong?: Pong;
  /** The agent refused the request: its code (e.g. SIGNATURE_INVALID is not said, only 401) and message. */
  refusal?: AgentError;
}

/** `https://vm:8443/base` + `/v1/runs`: an agent may sit under a path. */
function agentUrlFor(agentUrl: string, path: string): string {
  return agentUrl.replace(/\/+$/, '') + path;
}

type Method = 'GET' | 'POST' | 'DELETE';

/** What the call asks about besides its path, for the error that may come of it. */
type About = Omit<AgentCall, 'host'>;

/** The reason of a failed fetch: undici puts the socket's own error in `cause`. */
function fetchReason(cause: unknown): string {
  if (!(cause instanceof Error)) return '';
  return cause.cause instanceof Error ? cause.cause.message : cause.message;
}

/**
 * The slowest a log is expected to ship: the agent answers only once the whole log is in storage, so the call waits
 * for the log's bytes at this rate on top of the usual time-out. A 1 GiB log (MariaDB's largest max_binlog_size)
 * then gets 128 s more, below the 300 s fetch waits for an answer's headers; the agent bench ships 1 GiB at
 * about 10 times this rate on 2 shared cores (bench/README.md).
 */
const SLOWEST_SHIPPING_BYTES_PER_SECOND = 8 * 1024 * 1024;

/** How long shipping a log of `size` bytes may take: the agent's time-out, and the log's bytes at the slowest rate. */
function shipTimeoutMs(timeoutMs: number, size: number): number {
  return timeoutMs + Math.ceil((size / SLOWEST_SHIPPING_BYTES_PER_SECOND) * 1000);
}

function createAgentClient(deps: AgentClientDeps): AgentClient {
  const call = async (
    agentUrl: string,
    method: Method,
    path: string,
    about: About,
    body = '',
    timeoutMs = deps.timeoutMs,
  ) => {
    const url = agentUrlFor(agentUrl, path);
    const where: AgentCall = { host: new URL(agentUrl).host, ...about };
    const { answerKey, fetch: agentFetch = deps.fetch } = deps.trust(agentUrl);
    const unsigned = { 'content-type': 'application/json' };
    const headers = {
      ...unsigned,
      ...sign({ method, url, headers: unsigned, body }, deps.signingKey, deps.now()),
    };
    let response: Response;
    let bytes: Buffer;
    try {
      response = await agentFetch(url, {
        method,
        headers,
        ...(method === 'POST' && { body }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      bytes = Buffer.from(await response.arrayBuffer());
    } catch (cause) {
      const message = `the agent at ${where.host} did not answer: ${fetchReason(cause)}`;
      throw new AgentError('AGENT_UNREACHABLE', message, where, { cause });
    }
    const answered = { status: response.status, headers: Object.fromEntries(response.headers), body: bytes };
    let signedAt: Date;
    try {
      ({ created: signedAt } = verifyResponse(answered, { method, url, headers, body }, answerKey));
    } catch (error) {
      const message = `an answer from the agent at ${where.host} was refused: ${(error as Error).message}`;
      throw new AgentError(
        errorCodeOf(error),
        message,
        { ...where, status: response.status },
        { cause: error },
      );
    }
    let answer: unknown = null;
    try {
      answer = JSON.parse(bytes.toString('utf8'));
    } catch {
      // Not JSON: `parsed` and `refusal` say the answer is outside the protocol.
    }
    return { status: response.status, answer, where, signedAt };
  };
  type Answer = Awaited<ReturnType<typeof call>>;

  /** The answer as `schema` reads it, or AGENT_ANSWER_INVALID: signed by the agent, yet not the protocol's. */
  const parsed = <T>({ status, answer, where }: Answer, schema: z.ZodType<T>): T => {
    const result = schema.safeParse(answer);
    if (!result.success) {
      const message = `the agent at ${where.host} gave an answer outside the protocol`;
      throw new AgentError('AGENT_ANSWER_INVALID', message, { ...where, status });
    }
    return result.data;
  };

  /** The agent's refusal as an error, with its own code and message; never the request (it is signed). */
  const refusal = ({ status, answer, where }: Answer) => {
    const body = errorBodySchema.safeParse(answer);
    const agentCode = body.success ? body.data.error.code : undefined;
    const context = { ...where, status, ...(agentCode && { agentCode }) };
    const said = agentCode ?? `HTTP ${status}`;
    const message =
      status === 401
        ? `the agent at ${where.host} refused the request's signature (${said})`
        : `the agent at ${where.host} answered ${status} ${said}: ${body.success ? body.data.error.message : 'no error body'}`;
    return {
      agentCode,
      busy: body.success ? body.data.error.busy : undefined,
      error: new AgentError('AGENT_REJECTED', message, context),
    };
  };

  const read = async <T>(agentUrl: string, path: string, about: About, schema: z.ZodType<T>) => {
    const answer = await call(agentUrl, 'GET', path, about);
    if (answer.status === 200) return parsed(answer, schema);
    const { agentCode, error } = refusal(answer);
    if (agentCode === 'JOB_UNKNOWN') return null;
    throw error;
  };

  /** POSTs `body`; the agent's answer, or the busy jobs it refused the request for. */
  const submit = async <T>(agentUrl: string, path: string, body: { runId: string }, schema: z.ZodType<T>) => {
    const answer = await call(agentUrl, 'POST', path, { runId: body.runId }, JSON.stringify(body));
    if (answer.status === 202) return { kind: 'accepted' as const, accepted: parsed(answer, schema) };
    const { agentCode, busy, error } = refusal(answer);
    if (agentCode === 'JOB_CONFLICT' && busy?.length) return { kind: 'busy' as const, busy };
    throw error;
  };

  /** `path` asked with `method` (and `body`): the agent's answer — to a DELETE, the state of what it was asked to stop —
   * or its refusal. */
  const demand = async <T>(
    method: Method,
    agentUrl: string,
    path: string,
    about: About,
    schema: z.ZodType<T>,
    body?: string,
    timeoutMs?: number,
  ): Promise<T> => {
    const answer = await call(agentUrl, method, path, about, body, timeoutMs);
    if (answer.status === 200) return parsed(answer, schema);
    throw refusal(answer).error;
  };

  return {
    async ping(agentUrl) {
      const sentAt = deps.now();
      const answer = await call(agentUrl, 'GET', AGENT_PATHS.ping, {});
      const clock = { sentAt, receivedAt: deps.now(), signedAt: answer.signedAt };
      if (answer.status === 200) return { ...clock, pong: parsed(answer, pongSchema) };
      return { ...clock, refusal: refusal(answer).error };
    },
    async storageRoute(agentUrl) {
      const route = await read(agentUrl, AGENT_PATHS.storageRoute, {}, storageRouteSchema);
      if (!route)
        throw new AgentError(
          'AGENT_ANSWER_INVALID',
          `the agent at ${new URL(agentUrl).host} knows no route check`,
          { host: new URL(agentUrl).host },
        );
      return route;
    },
    async canary(agentUrl, request) {
      const answer = await call(agentUrl, 'POST', AGENT_PATHS.canary, {}, JSON.stringify(request));
      if (answer.status === 200) return parsed(answer, streamResultSchema);
      throw refusal(answer).error;
    },
    submitRun: (agentUrl, run) => submit(agentUrl, AGENT_PATHS.runs, run, runAcceptedSchema),
    async submitRestore(agentUrl, request) {
      const answer = await submit(agentUrl, AGENT_PATHS.restores, request, restoreAcceptedSchema);
      return answer.kind === 'accepted' ? answer : { kind: 'busy', busy: answer.busy[0] as BusyJob };
    },
    restore: (agentUrl, jobId) => read(agentUrl, AGENT_PATHS.restore(jobId), { jobId }, restoreStatusSchema),
    run: (agentUrl, runId) => read(agentUrl, AGENT_PATHS.run(runId), { runId }, runStatusSchema),
    job: (agentUrl, jobId) => read(agentUrl, AGENT_PATHS.job(jobId), { jobId }, jobStatusSchema),
    find: (agentUrl, targetId, objectName) =>
      read(agentUrl, AGENT_PATHS.findJob(targetId, objectName), {}, jobStatusSchema),
    cancel: (agentUrl, jobId) =>
      demand('DELETE', agentUrl, AGENT_PATHS.job(jobId), { jobId }, jobStatusSchema),
    cancelRestore: (agentUrl, jobId) =>
      demand('DELETE', agentUrl, AGENT_PATHS.restore(jobId), { jobId }, restoreStatusSchema),
    dropScratch: (agentUrl, request) =>
      demand(
        'POST',
        agentUrl,
        AGENT_PATHS.scratchDrops,
        { runId: request.runId },
        restoreStatusSchema,
        JSON.stringify(request),
      ),
    binlogReadiness: (agentUrl, targetId) =>
      demand('GET', agentUrl, AGENT_PATHS.binlog(targetId), {}, binlogReadySchema),
    closedLogs: (agentUrl, targetId) =>
      demand('GET', agentUrl, AGENT_PATHS.binlogs(targetId), {}, closedLogsSchema),
    shipLog: (agentUrl, targetId, request) =>
      demand(
        'POST',
        agentUrl,
        AGENT_PATHS.binlogs(targetId),
        {},
        shipResultSchema,
        JSON.stringify(request),
        shipTimeoutMs(deps.timeoutMs, request.size),
      ),
    identities: (agentUrl) => demand('GET', agentUrl, AGENT_PATHS.identities, {}, identitiesSchema),
  };
}

/** The client a run uses: the configured key, agents and time-out, the run's fetch and clock. */
export function agentClientFor(
  config: Pick<FunctionConfig, 'signingKey' | 'agentTimeoutSeconds' | 'agents'>,
  deps: { fetch: typeof fetch; clock: Clock },
): AgentClient {
  return createAgentClient({
    fetch: deps.fetch,
    signingKey: config.signingKey,
    now: () => deps.clock.now(),
    timeoutMs: config.agentTimeoutSeconds * 1000,
    trust: trustedAgents(config.agents),
  });
}
