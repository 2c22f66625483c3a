// What every step of a run shares — configuration, clients, bucket, run id, start and polling budget — and the one
// way a target's outcome is logged (`<kind>.<outcome>`, with the target's fields) and reported.
import type { Bucket } from '@google-cloud/storage';
import type { AgentClient } from '../agent/agent-client.js';
import { agentFields } from '../agent/agent-error.js';
import type { FunctionConfig } from '../config/schema.js';
import type { LogFields } from '../logging/logger.js';
import type { FunctionDeps } from './deps.js';
import type { TargetObject } from './plan.js';
import {
  type BackupOutcome,
  type BinlogOutcome,
  type ChainOutcome,
  type Outcome,
  type RestoreOutcome,
  reportFor,
  type TargetDetails,
  type TargetReport,
  type VerifyOutcome,
} from './report.js';

export interface RunContext {
  config: FunctionConfig;
  deps: FunctionDeps;
  bucket: Bucket;
  agent: AgentClient;
  runId: string;
  /** Epoch milliseconds: when the run started. */
  startedAt: number;
  /** Epoch milliseconds: the end of the run's polling budget. */
  deadline: number;
}

/** A run's shared part, its polling budget starting at `startedAt`. */
export function startRun(
  config: FunctionConfig,
  deps: FunctionDeps,
  runId: string,
  startedAt: Date,
  budgetSeconds = config.pollBudgetSeconds,
): RunContext {
  return {
    config,
    deps,
    bucket: deps.storage.bucket(config.bucket),
    agent: deps.agent,
    runId,
    startedAt: startedAt.getTime(),
    deadline: startedAt.getTime() + budgetSeconds * 1000,
  };
}

/** Who a target's log lines are about. */
export function targetFields(ctx: RunContext, planned: TargetObject): LogFields {
  const { target, objectName } = planned;
  return { runId: ctx.runId, targetId: target.id, database: target.database, object: objectName };
}

/** The outcomes each kind of run logs as `<kind>.<outcome>` (a dry run's `planned` logs nothing of its own). */
interface Logged {
  backup: Exclude<BackupOutcome, 'planned'>;
  verify: VerifyOutcome;
  restore: RestoreOutcome;
  binlogs: BinlogOutcome;
  chain: ChainOutcome;
}
/** Passed to the logger, which takes only declared events: an outcome without its event is a compile error. */
type OutcomeEvent = { [K in keyof Logged]: `${K}.${Logged[K]}` }[keyof Logged];

/** Logs `<kind>.<outcome>` with the target's fields, what the report says and `fields`; returns the report. */
export function finishTarget<K extends keyof Logged, O extends Logged[K] & Outcome>(
  ctx: RunContext,
  kind: K,
  planned: TargetObject,
  outcome: O,
  message: string,
  extra: TargetDetails = {},
  fields: LogFields = {},
): TargetReport<O> {
  const report = reportFor<O>(planned, outcome, extra);
  ctx.deps.logger.event(`${kind}.${outcome}` as OutcomeEvent, message, {
    ...targetFields(ctx, planned),
    jobId: report.jobId,
    bytes: report.bytes,
    generation: report.generation,
    durationMs: report.durationMs,
    errorCode: report.error?.code,
    stderrTail: report.error?.stderrTail,
    ...agentFields(report.error?.agent),
    retentionClass: report.retention?.class ?? undefined,
    keptUntil: report.retention?.keptUntil,
    ...fields,
  });
  return report;
}
