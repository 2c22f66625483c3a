// The agent's HTTP API: routing, body limit, signature check, then the job runner. Nothing starts unless the
// request is within the size limit, signed by a trusted key, well-formed and for a configured target.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BackupError, errorCodeOf, SignatureError } from '../../core/errors.js';
import { AGENT_PATHS, describeIssues, idSchema, jobRequestSchema } from '../../core/protocol.js';
import { isValidName } from '../../core/validate-name.js';
import { JobConflictError, type JobQuery, type JobRunner } from '../jobs/job-runner.js';
import type { AgentLog } from '../log/agent-log.js';
import type { Authenticate } from './authenticate.js';
import { readBody } from './read-body.js';
import { sendError, sendJson, sendUnauthenticated } from './respond.js';

export interface HandlerDeps {
  runner: JobRunner;
  authenticate: Authenticate;
  maxBodyBytes: number;
  log: AgentLog;
}

type Route =
  | { kind: 'createJob' }
  | { kind: 'getJob'; jobId: string }
  | { kind: 'findJob'; query: URLSearchParams };

// Job ids are letters, digits and "-", so the segment is compared as sent, never decoded.
const JOB_PATH = /^\/v1\/jobs\/([^/]+)$/;

function matchRoute(method: string, url: URL): Route | undefined {
  if (url.pathname === AGENT_PATHS.jobs) {
    if (method === 'POST') return { kind: 'createJob' };
    if (method === 'GET') return { kind: 'findJob', query: url.searchParams };
  }
  const job = JOB_PATH.exec(url.pathname);
  if (job?.[1] !== undefined && method === 'GET') return { kind: 'getJob', jobId: job[1] };
  return undefined;
}

function requestError(message: string): BackupError {
  return new BackupError('REQUEST_INVALID', message);
}

function parseJobRequest(body: Buffer) {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw requestError('the body is not JSON');
  }
  const parsed = jobRequestSchema.safeParse(value);
  if (!parsed.success) throw requestError(describeIssues(parsed.error));
  return parsed.data;
}

function parseJobQuery(params: URLSearchParams): JobQuery {
  const query: JobQuery = {};
  const runId = params.get('runId');
  const targetId = params.get('targetId');
  if (runId !== null) {
    if (!idSchema.safeParse(runId).success)
      throw requestError('runId: must be 1 to 64 letters, digits or "-"');
    query.runId = runId;
  }
  if (targetId !== null) {
    if (!isValidName(targetId)) throw requestError('targetId: not a valid target name');
    query.targetId = targetId;
  }
  if (runId === null && targetId === null) throw requestError('runId or targetId: give at least one');
  return query;
}

export function createRequestHandler(deps: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const serve = async (route: Route, res: ServerResponse, body: Buffer) => {
    switch (route.kind) {
      case 'createJob': {
        const accepted = await deps.runner.submit(parseJobRequest(body));
        sendJson(res, 202, { jobId: accepted.jobId });
        return;
      }
      case 'getJob':
      case 'findJob': {
        const status =
          route.kind === 'getJob'
            ? deps.runner.get(route.jobId)
            : deps.runner.find(parseJobQuery(route.query));
        if (status === undefined) throw new BackupError('JOB_UNKNOWN', 'no such job');
        sendJson(res, 200, status);
        return;
      }
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://agent');
    if (url.pathname === AGENT_PATHS.health && (method === 'GET' || method === 'HEAD')) {
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    const where = { method, path: url.pathname, remoteAddress: req.socket.remoteAddress };
    try {
      const route = matchRoute(method, url);
      if (route === undefined)
        throw new BackupError('ROUTE_UNKNOWN', `no route for ${method} ${url.pathname}`);
      const body = await readBody(req, deps.maxBodyBytes);
      try {
        deps.authenticate(req, body);
      } catch (error) {
        if (!(error instanceof SignatureError)) throw error;
        deps.log.warning('request.unauthenticated', `refused a request: ${error.message}`, {
          ...where,
          errorCode: error.code,
        });
        sendUnauthenticated(res);
        return;
      }
      await serve(route, res, body);
    } catch (error) {
      const code = errorCodeOf(error);
      const message = error instanceof BackupError ? error.message : 'internal error';
      const level = code === 'INTERNAL' ? 'error' : 'warning';
      deps.log[level]('request.refused', `refused a request: ${(error as Error).message}`, {
        ...where,
        errorCode: code,
      });
      sendError(res, code, message, {
        jobId: error instanceof JobConflictError ? error.jobId : undefined,
        close: code === 'BODY_TOO_LARGE',
      });
    }
  };

  return (req, res) => {
    // Only a failure to answer at all gets here; it must not become an unhandled rejection that stops the agent.
    handle(req, res).catch(() => res.destroy());
  };
}
