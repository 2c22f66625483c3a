// The HTTP handlers `backup`, `verify`, `retention`, `restore`, `list`, `status`, `doctor` and `binlogs`: parse the request, run, answer the JSON
// summary (500 when anything failed), or stream the run's progress to a caller that asks to watch.
import type { HttpFunction, Request, Response } from '@google-cloud/functions-framework';
import { BackupError, errorCodeOf } from '../../core/errors.js';
import { agentErrorFields } from '../agent/agent-error.js';
import { parseBackupRequest } from '../backup/request.js';
import { runBackup } from '../backup/run-backup.js';
import { parseBinlogsRequest } from '../binlog/request.js';
import { runBinlogs } from '../binlog/run-binlogs.js';
import type { FunctionConfig } from '../config/schema.js';
import { runDoctor } from '../doctor/run-doctor.js';
import { parseListRequest, runList } from '../list/run-list.js';
import { dropKeptScratch } from '../restore/drop-scratch.js';
import { parseRestoreRequest } from '../restore/request.js';
import { runRestore } from '../restore/run-restore.js';
import { parseRetentionRequest } from '../retention/request.js';
import { runRetention } from '../retention/run-retention.js';
import type { FunctionDeps } from '../run/deps.js';
import { httpStatusOf, type RunReport } from '../run/report.js';
import { runStatus } from '../status/run-status.js';
import { parseVerifyRequest } from '../verify/request.js';
import { runVerify } from '../verify/run-verify.js';
import { answer, startProgress, wantsProgress } from './progress-stream.js';
import { scheduledExecution } from './scheduled-execution.js';

type Run = (req: Request, deps: FunctionDeps) => Promise<{ status: number; report: object }>;

/** A run request's body is a few fields; anything much larger is not one. */
const MAX_REQUEST_BODY_BYTES = 64 * 1024;

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
    const traced: FunctionDeps = { ...deps, logger: deps.logger.withTrace(req.get('x-cloud-trace-context')) };
    const watched = wantsProgress(req);
    if (watched) traced.progress = startProgress(res);
    try {
      const refusal = refusalOf(req);
      if (refusal) throw refusal;
      const { status, report } = await run(req, traced);
      answer(res, watched, status, { report });
    } catch (error) {
      // A refused request (bad field, unknown database) or a bug; either way the caller gets a code, never a stack.
      if (error instanceof BackupError && error.httpStatus < 500) {
        traced.logger.event('request.refused', `request refused: ${error.message}`, {
          errorCode: error.code,
        });
        answer(res, watched, error.httpStatus, { error: { code: error.code, message: error.message } });
        return;
      }
      traced.logger.unexpected('request.failed', error, {
        errorCode: errorCodeOf(error),
        ...agentErrorFields(error),
      });
      const message = error instanceof BackupError ? error.message : 'internal error';
      answer(res, watched, 500, { error: { code: errorCodeOf(error), message } });
    }
  };
}

/** A run's report with the status that tells Cloud Scheduler whether it failed. */
const reported = async (run: Promise<Pick<RunReport, 'status'>>) => {
  const report = await run;
  return { status: httpStatusOf(report), report };
};

/** Cloud Scheduler's attempt, so retries of one scheduled execution share one alert; believed from it alone. */
function executionOf(req: Request, config: FunctionConfig, deps: FunctionDeps) {
  return scheduledExecution((name) => req.get(name), config.schedulerServiceAccount, deps.clock.now());
}

export function createBackupHandler(config: FunctionConfig, deps: FunctionDeps): HttpFunction {
  return handler(deps, (req, traced) =>
    reported(
      runBackup(config, traced, parseBackupRequest(req.query, req.body), executionOf(req, config, traced)),
    ),
  );
}

export function createVerifyHandler(config: FunctionConfig, deps: FunctionDeps): HttpFunction {
  return handler(deps, (req, traced) =>
    reported(
      runVerify(
        config,
        traced,
        parseVerifyRequest(req.query, req.body, config.timeZone),
        executionOf(req, config, traced),
      ),
    ),
  );
}

export function createRetentionHandler(config: FunctionConfig, deps: FunctionDeps): HttpFunction {
  return handler(deps, (req, traced) =>
    reported(runRetention(config, traced, parseRetentionRequest(req.query, req.body))),
  );
}

/**
 * On demand, one database; called by the drill's Cloud Scheduler job, every target's newest verified backup; or the
 * drop of a scratch database a restore kept.
 */
export function createRestoreHandler(config: FunctionConfig, deps: FunctionDeps): HttpFunction {
  return handler(deps, (req, traced) => {
    const execution = executionOf(req, config, traced);
    const request = parseRestoreRequest(req.query, req.body, config.timeZone, execution !== undefined);
    if (request.dropScratch)
      return dropKeptScratch(config, traced, request).then((report) => ({ status: 200, report }));
    return reported(runRestore(config, traced, request, execution));
  });
}

/** Read only: every backup with its date, size, class, expiry, and whether it was verified or drilled. */
export function createListHandler(config: FunctionConfig, deps: FunctionDeps): HttpFunction {
  return handler(deps, async (req, traced) => ({
    status: 200,
    report: await runList(config, traced, parseListRequest(req.query, req.body)),
  }));
}

/** Read only: each database's health — last attempt, newest good backup against the schedule, drills, deep checks,
 * restores — and the problems found. Always 200 when it could look: the problems are the answer, not a failure. */
export function createStatusHandler(config: FunctionConfig, deps: FunctionDeps): HttpFunction {
  return handler(deps, async (req, traced) => ({
    status: 200,
    report: await runStatus(config, traced, parseListRequest(req.query, req.body)),
  }));
}

/** After a deploy, before the first run: every hop of the path checked, each failure with its fix; 500 when any failed. */
export function createDoctorHandler(config: FunctionConfig, deps: FunctionDeps): HttpFunction {
  return handler(deps, async (_req, traced) => {
    const report = await runDoctor(config, traced);
    return { status: report.status === 'ok' ? 200 : 500, report };
  });
}

/** On its own schedule: the closed binary logs of every pointInTime database shipped; 500 when one was not or was lost. */
export function createBinlogsHandler(config: FunctionConfig, deps: FunctionDeps): HttpFunction {
  return handler(deps, (req, traced) =>
    reported(
      runBinlogs(config, traced, parseBinlogsRequest(req.query, req.body), executionOf(req, config, traced)),
    ),
  );
}
