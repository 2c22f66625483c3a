// The agent's signed API: which request is which, its parameters checked, and the job runner's (or restore runner's,
// or binary-log shipping's) answer.
import type { ServerResponse } from 'node:http';
import type { z } from 'zod';
import { shipRequestSchema } from '../../core/binlog-protocol.js';
import { BackupError } from '../../core/errors.js';
import {
  AGENT_PATHS,
  canaryRequestSchema,
  describeIssues,
  type idSchema,
  nameSchema,
  type Pong,
  runRequestSchema,
  type StorageRoute,
} from '../../core/protocol.js';
import { dropScratchRequestSchema, restoreRequestSchema } from '../../core/restore-protocol.js';
import type { VerifiedSignature } from '../../core/signing/index.js';
import type { ListClosedLogs } from '../binlog/closed-logs.js';
import type { BinlogReadiness } from '../binlog/readiness.js';
import type { ShipLog } from '../binlog/ship-log.js';
import type { JobRunner } from '../jobs/job-runner.js';
import type { Canary } from '../pipeline/canary.js';
import type { RestoreRunner } from '../restore/restore-runner.js';
import { type AllowedStorage, checkUploadUri } from './destinations.js';
import { sendAnswer } from './respond.js';

export type Route =
  | { kind: 'submitRun' }
  | { kind: 'getRun'; runId: string }
  | { kind: 'getJob'; jobId: string }
  | { kind: 'cancelJob'; jobId: string }
  | { kind: 'findJob'; query: URLSearchParams }
  | { kind: 'submitRestore' }
  | { kind: 'getRestore'; jobId: string }
  | { kind: 'cancelRestore'; jobId: string }
  | { kind: 'dropScratch' }
  | { kind: 'binlogReadiness'; targetId: string }
  | { kind: 'closedLogs'; targetId: string }
  | { kind: 'shipLog'; targetId: string }
  | { kind: 'ping' }
  | { kind: 'canary' }
  | { kind: 'storageRoute' }
  | { kind: 'getIdentities' };

export interface RouteDeps {
  runner: JobRunner;
  restores: RestoreRunner;
  storage: AllowedStorage;
  binlog: BinlogReadiness;
  closedLogs: ListClosedLogs;
  shipLog: ShipLog;
  /** The agent's version and clock, for a ping. */
  version: string;
  now: () => Date;
  canary: Canary;
  /** The agent's own check of its route to the storage origin. */
  checkRoute: () => Promise<StorageRoute>;
  /** The fingerprints of the recipients the agent's identity files open. */
  identities: readonly string[];
}

// Ids are letters, digits and "-", so a segment is compared as sent, never decoded.
const RUN_PATH = /^\/v1\/runs\/([^/]+)$/;
const JOB_PATH = /^\/v1\/jobs\/([^/]+)$/;
const RESTORE_PATH = /^\/v1\/restores\/([^/]+)$/;
const BINLOG_PATH = /^\/v1\/targets\/([^/]+)\/binlog$/;
const BINLOGS_PATH = /^\/v1\/targets\/([^/]+)\/binlogs$/;

export function matchRoute(method: string, url: URL): Route | undefined {
  if (url.pathname === AGENT_PATHS.ping && method === 'GET') return { kind: 'ping' };
  if (url.pathname === AGENT_PATHS.canary && method === 'POST') return { kind: 'canary' };
  if (url.pathname === AGENT_PATHS.storageRoute && method === 'GET') return { kind: 'storageRoute' };
  if (url.pathname === AGENT_PATHS.runs && method === 'POST') return { kind: 'submitRun' };
  if (url.pathname === AGENT_PATHS.jobs && method === 'GET')
    return { kind: 'findJob', query: url.searchParams };
  const run = RUN_PATH.exec(url.pathname)?.[1];
  if (run !== undefined && method === 'GET') return { kind: 'getRun', runId: run };
  const job = JOB_PATH.exec(url.pathname)?.[1];
  if (job !== undefined && method === 'GET') return { kind: 'getJob', jobId: job };
  if (job !== undefined && method === 'DELETE') return { kind: 'cancelJob', jobId: job };
  if (url.pathname === AGENT_PATHS.restores && method === 'POST') return { kind: 'submitRestore' };
  if (url.pathname === AGENT_PATHS.scratchDrops && method === 'POST') return { kind: 'dropScratch' };
  if (url.pathname === AGENT_PATHS.identities && method === 'GET') return { kind: 'getIdentities' };
  const restore = RESTORE_PATH.exec(url.pathname)?.[1];
  if (restore !== undefined && method === 'GET') return { kind: 'getRestore', jobId: restore };
  if (restore !== undefined && method === 'DELETE') return { kind: 'cancelRestore', jobId: restore };
  const binlogTarget = BINLOG_PATH.exec(url.pathname)?.[1];
  if (binlogTarget !== undefined && method === 'GET')
    return { kind: 'binlogReadiness', targetId: binlogTarget };
  const logsTarget = BINLOGS_PATH.exec(url.pathname)?.[1];
  if (logsTarget !== undefined && method === 'GET') return { kind: 'closedLogs', targetId: logsTarget };
  if (logsTarget !== undefined && method === 'POST') return { kind: 'shipLog', targetId: logsTarget };
  return undefined;
}

function requestError(message: string): BackupError {
  return new BackupError('REQUEST_INVALID', message);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw requestError('the body is not JSON');
  }
}

/** The body as `schema` reads it; REQUEST_INVALID naming each bad field. */
function parseBody<T>(body: Buffer, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(parseJson(body));
  if (!parsed.success) throw requestError(describeIssues(parsed.error));
  return parsed.data;
}

function parseRunRequest(body: Buffer, storage: AllowedStorage) {
  const run = parseBody(body, runRequestSchema);
  for (const job of run.jobs) checkUploadUri(job.uploadUri, storage);
  return run;
}

function param(params: URLSearchParams, name: string, schema: typeof nameSchema | typeof idSchema): string {
  const value = params.get(name);
  if (value === null || !schema.safeParse(value).success) throw requestError(`${name}: missing or malformed`);
  return value;
}

/** Target ids are names: letters, digits, `.`, `_`, `-`, so a path segment is compared as sent. */
function targetOf(route: { targetId: string }): string {
  return param(new URLSearchParams({ targetId: route.targetId }), 'targetId', nameSchema);
}

function known<T>(value: T | undefined): T {
  if (value === undefined) throw new BackupError('JOB_UNKNOWN', 'no such job');
  return value;
}

/** `caller` is the request's verified signature: a ping names the key it was verified with. */
export async function serveRoute(
  route: Route,
  res: ServerResponse,
  body: Buffer,
  deps: RouteDeps,
  caller: VerifiedSignature,
) {
  const { runner } = deps;
  switch (route.kind) {
    case 'ping': {
      const pong: Pong = { version: deps.version, time: deps.now().toISOString(), keyId: caller.keyId };
      return sendAnswer(res, 200, pong);
    }
    case 'storageRoute':
      return sendAnswer(res, 200, await deps.checkRoute());
    case 'canary': {
      const parsed = canaryRequestSchema.safeParse(parseJson(body));
      if (!parsed.success) throw requestError(describeIssues(parsed.error));
      checkUploadUri(parsed.data.uploadUri, deps.storage);
      // A caller that hangs up stops the canary: nobody is left to prove it.
      const stop = new AbortController();
      res.once('close', () => stop.abort());
      return sendAnswer(res, 200, await deps.canary(parsed.data, stop.signal));
    }
    case 'submitRun':
      return sendAnswer(res, 202, await runner.submitRun(parseRunRequest(body, deps.storage)));
    case 'getRun': {
      const jobs = runner.run(route.runId);
      if (jobs.length === 0) throw new BackupError('JOB_UNKNOWN', 'no such run');
      return sendAnswer(res, 200, { runId: route.runId, jobs });
    }
    case 'getJob':
      return sendAnswer(res, 200, known(runner.get(route.jobId)));
    case 'cancelJob':
      return sendAnswer(res, 200, runner.cancel(route.jobId));
    case 'submitRestore':
      return sendAnswer(res, 202, await deps.restores.submit(parseBody(body, restoreRequestSchema)));
    case 'dropScratch':
      return sendAnswer(res, 200, await deps.restores.dropKept(parseBody(body, dropScratchRequestSchema)));
    case 'getRestore':
      return sendAnswer(res, 200, known(deps.restores.get(route.jobId)));
    case 'cancelRestore':
      return sendAnswer(res, 200, deps.restores.cancel(route.jobId));
    case 'getIdentities':
      return sendAnswer(res, 200, { recipients: deps.identities });
    case 'findJob': {
      const targetId = param(route.query, 'targetId', nameSchema);
      const objectName = route.query.get('objectName');
      if (!objectName) throw requestError('objectName: missing');
      return sendAnswer(res, 200, known(runner.find(targetId, objectName)));
    }
    case 'binlogReadiness':
      return sendAnswer(res, 200, await deps.binlog(targetOf(route)));
    case 'closedLogs':
      return sendAnswer(res, 200, await deps.closedLogs(targetOf(route)));
    case 'shipLog': {
      const targetId = targetOf(route);
      const request = parseBody(body, shipRequestSchema);
      checkUploadUri(request.uploadUri, deps.storage);
      // As a canary: a caller that hangs up stops the shipping, whose session is then cancelled.
      const stop = new AbortController();
      res.once('close', () => stop.abort());
      return sendAnswer(res, 200, await deps.shipLog(targetId, request, stop.signal));
    }
  }
}
