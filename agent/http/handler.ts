// The agent's HTTP API: routing, size limits, signature check, then the job runner. Nothing starts unless the
// request is within the size limits, signed by a trusted key, well-formed and for a configured target. Refusals
// of a caller not yet authenticated are only counted (refusal-count.ts); nothing it sent reaches the log.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BackupError, errorCodeOf, SignatureError } from '../../core/errors.js';
import { AGENT_PATHS } from '../../core/protocol.js';
import type { VerifiedSignature } from '../../core/signing/index.js';
import { JobConflictError } from '../jobs/job-conflict.js';
import type { AgentLog } from '../log/agent-log.js';
import type { Authenticate } from './authenticate.js';
import { readBody } from './read-body.js';
import type { RefusalCount } from './refusal-count.js';
import { sendAnswer, sendError, sendUnauthenticated } from './respond.js';
import { matchRoute, type RouteDeps, serveRoute } from './routes.js';

export interface HandlerDeps extends RouteDeps {
  authenticate: Authenticate;
  maxBodyBytes: number;
  log: AgentLog;
  refusals: RefusalCount;
}

/** The agent's paths and queries are a few dozen bytes; a longer request target is not one of its requests. */
const MAX_TARGET_LENGTH = 2048;

/** How far a request got: only an authenticated caller's refusals are logged one by one, with the path. */
type Caller = 'unknown' | 'authenticating' | 'authenticated';

export function createRequestHandler(deps: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  /** Counts a refusal before authentication; logs any other, naming the path only once the caller is known. */
  const recordRefusal = (req: IncomingMessage, error: unknown, caller: Caller) => {
    const code = errorCodeOf(error);
    const remoteAddress = req.socket.remoteAddress;
    if (caller === 'unknown') {
      deps.refusals.add(code, remoteAddress);
      return;
    }
    const path = caller === 'authenticated' ? new URL(req.url ?? '/', 'http://agent').pathname : undefined;
    deps.log[code === 'INTERNAL' ? 'error' : 'warning'](
      'request.refused',
      `refused a request: ${(error as Error).message}`,
      { method: req.method, path, remoteAddress, errorCode: code },
    );
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    let caller: Caller = 'unknown';
    try {
      if ((req.url ?? '').length > MAX_TARGET_LENGTH) {
        throw new BackupError('URI_TOO_LONG', `the request target exceeds ${MAX_TARGET_LENGTH} bytes`);
      }
      const url = new URL(req.url ?? '/', 'http://agent');
      if (url.pathname === AGENT_PATHS.health && (method === 'GET' || method === 'HEAD')) {
        sendAnswer(res, 200, { status: 'ok' });
        return;
      }
      const route = matchRoute(method, url);
      if (route === undefined) throw new BackupError('ROUTE_UNKNOWN', `no route for this ${method} request`);
      const body = await readBody(req, deps.maxBodyBytes);
      caller = 'authenticating';
      let verified: VerifiedSignature;
      try {
        verified = deps.authenticate(req, body);
      } catch (error) {
        if (!(error instanceof SignatureError)) throw error;
        deps.refusals.add(error.code, req.socket.remoteAddress);
        sendUnauthenticated(res);
        return;
      }
      caller = 'authenticated';
      await serveRoute(route, res, body, deps, verified);
    } catch (error) {
      recordRefusal(req, error, caller);
      const code = errorCodeOf(error);
      sendError(res, code, error instanceof BackupError ? error.message : 'internal error', {
        busy: error instanceof JobConflictError ? error.busy : undefined,
        close: code === 'BODY_TOO_LARGE',
      });
    }
  };

  return (req, res) => {
    // Only a failure to answer at all gets here; it must not become an unhandled rejection that stops the agent.
    handle(req, res).catch(() => res.destroy());
  };
}
