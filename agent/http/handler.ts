// The agent's HTTP API: routing, body limit, signature check, then the job runner. Nothing starts unless the
// request is within the size limit, signed by a trusted key, well-formed and for a configured target.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BackupError, errorCodeOf, SignatureError } from '../../core/errors.js';
import { AGENT_PATHS } from '../../core/protocol.js';
import { JobConflictError } from '../jobs/job-runner.js';
import type { AgentLog } from '../log/agent-log.js';
import type { Authenticate } from './authenticate.js';
import { readBody } from './read-body.js';
import { sendError, sendJson, sendUnauthenticated } from './respond.js';
import { matchRoute, type RouteDeps, serveRoute } from './routes.js';

export interface HandlerDeps extends RouteDeps {
  authenticate: Authenticate;
  maxBodyBytes: number;
  log: AgentLog;
}

export function createRequestHandler(deps: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
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
      await serveRoute(route, res, body, deps);
    } catch (error) {
      const code = errorCodeOf(error);
      const message = error instanceof BackupError ? error.message : 'internal error';
      const level = code === 'INTERNAL' ? 'error' : 'warning';
      deps.log[level]('request.refused', `refused a request: ${(error as Error).message}`, {
        ...where,
        errorCode: code,
      });
      sendError(res, code, message, {
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
