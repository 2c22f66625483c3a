// The HTTP handlers `backup`, `verify` and `retention`: parse the request, run, answer the JSON summary (500 when
// anything failed).
import type { HttpFunction, Request, Response } from '@google-cloud/functions-framework';
import { BackupError, errorCodeOf } from '../core/errors.js';
import { scheduledExecution } from './alerts/schedule.js';
import { parseBackupRequest } from './backup/request.js';
import { runBackup } from './backup/run-backup.js';
import type { FunctionConfig } from './config/schema.js';
import type { FunctionDeps } from './deps.js';
import { httpStatusOf, type RunReport } from './report.js';
import { parseRetentionRequest } from './retention/request.js';
import { runRetention } from './retention/run-retention.js';
import { parseVerifyRequest } from './verify/request.js';
import { runVerify } from './verify/run-verify.js';

type Run = (req: Request, deps: FunctionDeps) => Promise<Pick<RunReport, 'status'>>;

/** A run request's body is a few fields; anything much larger is not one. */
export const MAX_REQUEST_BODY_BYTES = 64 * 1024;

/**
 * Why the request cannot be run before its fields are read: a body that is not JSON (the framework parses
 * text and forms as well, whose fields would otherwise be ignored) or is too large.
 */
function refusalOf(req: Request): BackupError | undefined {
  const size = req.rawBody?.length ?? 0;
  if (size > MAX_REQUEST_BODY_BYTES) {
    return new BackupError('BODY_TOO_LARGE', `the body exceeds ${MAX_REQUEST_BODY_BYTES} bytes`);
  }
  if (size > 0 && !req.is('application/json')) {
    return new BackupError('CONTENT_TYPE_UNSUPPORTED', 'send the fields as application/json or in the query');
  }
  return undefined;
}

function handler(deps: FunctionDeps, run: Run): HttpFunction {
  return async (req: Request, res: Response) => {
    if (req.method !== 'POST' && req.method !== 'GET') {
      res
        .status(405)
        .set('allow', 'GET, POST')
        .json({ error: { code: 'REQUEST_INVALID', message: 'use GET or POST' } });
      return;
    }
    // Every line of this request joins its trace in Cloud Logging.
    const traced = { ...deps, logger: deps.logger.withTrace(req.get('x-cloud-trace-context')) };
    try {
      const refusal = refusalOf(req);
      if (refusal) throw refusal;
      const report = await run(req, traced);
      res.status(httpStatusOf(report)).json(report);
    } catch (error) {
      // A refused request (bad field, unknown database) or a bug; either way the caller gets a code, never a stack.
      if (error instanceof BackupError && error.httpStatus < 500) {
        traced.logger.event('request.refused', `request refused: ${error.message}`, {
          errorCode: error.code,
        });
        res.status(error.httpStatus).json({ error: { code: error.code, message: error.message } });
        return;
      }
      traced.logger.unexpected('request.failed', error, { errorCode: errorCodeOf(error) });
      const message = error instanceof BackupError ? error.message : 'internal error';
      res.status(500).json({ error: { code: errorCodeOf(error), message } });
    }
  };
}

/** Cloud Scheduler's attempt, so retries of one scheduled execution share one alert; believed from it alone. */
function executionOf(req: Request, config: FunctionConfig, deps: FunctionDeps) {
  return scheduledExecution((name) => req.get(name), config.schedulerServiceAccount, deps.clock.now());
}

export function createBackupHandler(config: FunctionConfig, deps: FunctionDeps): HttpFunction {
  return handler(deps, (req, traced) =>
    runBackup(config, traced, parseBackupRequest(req.query, req.body), executionOf(req, config, traced)),
  );
}

export function createVerifyHandler(config: FunctionConfig, deps: FunctionDeps): HttpFunction {
  return handler(deps, (req, traced) =>
    runVerify(
      config,
      traced,
      parseVerifyRequest(req.query, req.body, config.timeZone),
      executionOf(req, config, traced),
    ),
  );
}

export function createRetentionHandler(config: FunctionConfig, deps: FunctionDeps): HttpFunction {
  return handler(deps, (req, traced) =>
    runRetention(config, traced, parseRetentionRequest(req.query, req.body)),
  );
}
