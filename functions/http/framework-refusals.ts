// Requests functions-framework refuses before a handler runs (a body that is not JSON, an unknown charset, a
// body over its limit) answered in the handlers' JSON error shape and logged with their code, never as
// Express's HTML page, which carries the error's stack and the server's file paths outside production.
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { ErrorCode } from '../../core/errors.js';
import type { Logger } from '../logging/logger.js';

interface Refusal {
  readonly status: number;
  readonly code: ErrorCode;
  readonly message: string;
}

/** body-parser's `err.type` values (node_modules/body-parser/lib/read.js and types/). */
const REFUSALS: Readonly<Record<string, Refusal>> = {
  'entity.parse.failed': { status: 400, code: 'REQUEST_INVALID', message: 'the body is not valid JSON' },
  'entity.too.large': { status: 413, code: 'BODY_TOO_LARGE', message: 'the body is too large' },
  'parameters.too.many': { status: 413, code: 'BODY_TOO_LARGE', message: 'the body has too many fields' },
  'charset.unsupported': {
    status: 415,
    code: 'CONTENT_TYPE_UNSUPPORTED',
    message: 'the body is not in a supported charset: send application/json in UTF-8',
  },
  'encoding.unsupported': {
    status: 415,
    code: 'CONTENT_TYPE_UNSUPPORTED',
    message: 'the body has an unsupported content-encoding',
  },
  'request.size.invalid': {
    status: 400,
    code: 'REQUEST_INVALID',
    message: 'the body does not match its content-length',
  },
  'request.aborted': { status: 400, code: 'REQUEST_INVALID', message: 'the request was aborted' },
};

const INTERNAL: Refusal = { status: 500, code: 'INTERNAL', message: 'internal error' };
const CLIENT_ERROR: Refusal = { status: 400, code: 'REQUEST_INVALID', message: 'the request cannot be read' };

/** What to answer for an error the framework passed on: a known body-parser error, any other 4xx, or a 500. */
function refusalFor(error: unknown): Refusal {
  const { type, status } = (error ?? {}) as { type?: unknown; status?: unknown };
  const known = typeof type === 'string' ? REFUSALS[type] : undefined;
  if (known) return known;
  return typeof status === 'number' && status >= 400 && status < 500 ? CLIENT_ERROR : INTERNAL;
}

type ErrorMiddleware = (error: unknown, req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/** Express's error-handling middleware (four parameters) answering `{ error: { code, message } }`. */
function jsonRefusals(logger: Logger): ErrorMiddleware {
  // Four declared parameters are how Express tells an error handler from a plain middleware.
  return (error, req, res, _next) => {
    const refusal = refusalFor(error);
    const fields = { errorCode: refusal.code, status: refusal.status, method: req.method };
    if (refusal.status >= 500) {
      // A fault of the server, not of the caller: logged whole, where Error Reporting finds it.
      logger.unexpected('request.failed', error, fields);
    } else {
      // The code and the status only: the error's own message may quote the body.
      logger.event(
        'request.refused',
        `refused a request before it reached the function: ${refusal.message}`,
        fields,
      );
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = JSON.stringify({ error: { code: refusal.code, message: refusal.message } });
    res.writeHead(refusal.status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    });
    res.end(body);
  };
}

interface ExpressApp {
  (req: IncomingMessage, res: ServerResponse): void;
  use(handler: ErrorMiddleware): unknown;
}

function isExpressApp(listener: unknown): listener is ExpressApp {
  return typeof listener === 'function' && typeof (listener as { use?: unknown }).use === 'function';
}

const answered = new WeakSet<Server>();

/**
 * Adds the JSON error handler to the Express app behind a server functions-framework made (getServer, or
 * getTestServer). Added last, after the framework's body parsers and the function, where Express sends every
 * error the middleware before it passed on. Adding it more than once changes nothing.
 */
export function answerRefusalsAsJson(server: Server, logger: Logger): void {
  if (answered.has(server)) return;
  const app = server.listeners('request').find(isExpressApp);
  if (!app) return;
  answered.add(server);
  app.use(jsonRefusals(logger));
}

/**
 * For the deployed entry point, whose server functions-framework's main creates out of reach: Node publishes
 * each request on this channel before the server's listener sees it, so the handler is in place before the
 * first body is parsed.
 */
export function answerRefusalsAsJsonOnEveryServer(logger: Logger): void {
  subscribe('http.server.request.start', (message) => {
    answerRefusalsAsJson((message as { server: Server }).server, logger);
  });
}
