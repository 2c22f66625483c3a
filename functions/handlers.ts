// The HTTP handlers `backup` and `verify`: parse the request, run, answer the JSON summary (500 when anything failed).
import type { HttpFunction, Request, Response } from '@google-cloud/functions-framework';
import { BackupError, errorCodeOf } from '../core/errors.js';
import { scheduledExecution } from './alerts/schedule.js';
import { parseBackupRequest } from './backup/request.js';
import { runBackup } from './backup/run-backup.js';
import type { FunctionConfig } from './config/schema.js';
import type { FunctionDeps } from './deps.js';
import { httpStatusOf, type RunReport } from './report.js';
import { parseVerifyRequest } from './verify/request.js';
import { runVerify } from './verify/run-verify.js';

type Run = (req: Request) => Promise<RunReport>;

function handler(name: string, deps: FunctionDeps, run: Run): HttpFunction {
  return async (req: Request, res: Response) => {
    if (req.method !== 'POST' && req.method !== 'GET') {
      res
        .status(405)
        .set('allow', 'GET, POST')
        .json({ error: { code: 'REQUEST_INVALID', message: 'use GET or POST' } });
      return;
    }
    try {
      const report = await run(req);
      res.status(httpStatusOf(report)).json(report);
    } catch (error) {
      // A refused request (bad field, unknown database) or a bug; either way the caller gets a code, never a stack.
      const code = errorCodeOf(error);
      const status = error instanceof BackupError ? error.httpStatus : 500;
      const message = error instanceof BackupError ? error.message : 'internal error';
      deps.logger.log(
        status >= 500 ? 'ERROR' : 'WARNING',
        `${name}.refused`,
        `${name} request refused: ${(error as Error).message}`,
        {
          errorCode: code,
        },
      );
      res.status(status).json({ error: { code, message } });
    }
  };
}

/** Cloud Scheduler's attempt headers, so retries of one scheduled execution share one alert. */
function executionOf(req: Request) {
  return scheduledExecution((name) => req.get(name));
}

export function createBackupHandler(config: FunctionConfig, deps: FunctionDeps): HttpFunction {
  return handler('backup', deps, (req) =>
    runBackup(config, deps, parseBackupRequest(req.query, req.body), executionOf(req)),
  );
}

export function createVerifyHandler(config: FunctionConfig, deps: FunctionDeps): HttpFunction {
  return handler('verify', deps, (req) =>
    runVerify(config, deps, parseVerifyRequest(req.query, req.body, config.timeZone), executionOf(req)),
  );
}
