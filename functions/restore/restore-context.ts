// What every step of a restore run shares, and how a target's outcome is logged and reported in one place.
import type { Bucket } from '@google-cloud/storage';
import type { AgentClient } from '../agent/agent-client.js';
import type { FunctionConfig } from '../config/schema.js';
import type { LogFields } from '../logging/logger.js';
import type { FunctionDeps } from '../run/deps.js';
import type { FailureInfo } from '../run/failure.js';
import type { PlannedTarget } from '../run/plan.js';
import { type RestoreOutcome, reportFor, type TargetReport } from '../run/report.js';

export interface RestoreContext {
  config: FunctionConfig;
  deps: FunctionDeps;
  bucket: Bucket;
  agent: AgentClient;
  runId: string;
  drill: boolean;
  /** Epoch milliseconds: the end of the run's polling budget. */
  deadline: number;
  /** Epoch milliseconds: when the run started. */
  startedAt: number;
}

export function restoreFields(ctx: RestoreContext, planned: PlannedTarget): LogFields {
  const { target, objectName } = planned;
  return {
    runId: ctx.runId,
    targetId: target.id,
    database: target.database,
    object: objectName,
    drill: ctx.drill,
  };
}

/** Logs `restore.<outcome>` with the target's fields and returns its report. */
export function finishRestore(
  ctx: RestoreContext,
  planned: PlannedTarget,
  outcome: RestoreOutcome,
  message: string,
  extra: Partial<TargetReport<RestoreOutcome>> = {},
): TargetReport<RestoreOutcome> {
  const report = reportFor<RestoreOutcome>(planned, outcome, extra);
  const { restore } = report;
  ctx.deps.logger.event(`restore.${outcome}`, message, {
    ...restoreFields(ctx, planned),
    jobId: report.jobId,
    bytes: report.bytes,
    generation: report.generation,
    scratchDatabase: restore?.scratchDatabase,
    scratch: restore?.scratch,
    recoveryMs: restore?.durationMs,
    tables: restore?.tables.length,
    checksFailed: restore?.checks.filter((check) => !check.ok).map((check) => check.name),
    errorCode: report.error?.code,
    stderrTail: report.error?.stderrTail,
  });
  return report;
}

export function restoreFailed(
  ctx: RestoreContext,
  planned: PlannedTarget,
  error: FailureInfo,
  extra: Partial<TargetReport<RestoreOutcome>> = {},
) {
  const outcome = error.code === 'BACKUP_MISSING' ? 'missing' : 'failed';
  const what = ctx.drill ? 'restore drill' : 'restore';
  return finishRestore(
    ctx,
    planned,
    outcome,
    `${what} of ${planned.target.database} ${outcome}: ${error.message}`,
    {
      ...extra,
      error,
    },
  );
}
