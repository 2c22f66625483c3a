// What every step of a backup run shares, and how a target's outcome is logged and reported in one place.
import type { Bucket } from '@google-cloud/storage';
import type { AgentClient } from '../agent/agent-client.js';
import type { FunctionConfig } from '../config/schema.js';
import type { LogFields } from '../logging/logger.js';
import type { ProofWindow } from '../object/prove-object.js';
import type { FunctionDeps } from '../run/deps.js';
import type { FailureInfo } from '../run/failure.js';
import type { PlannedTarget } from '../run/plan.js';
import { type BackupOutcome, reportFor, type TargetReport } from '../run/report.js';

export interface RunContext {
  config: FunctionConfig;
  deps: FunctionDeps;
  bucket: Bucket;
  agent: AgentClient;
  runId: string;
  force: boolean;
  /** Epoch milliseconds: the end of the run's polling budget. */
  deadline: number;
  /** Epoch milliseconds: when the run started, for each target's duration. */
  startedAt: number;
}

export function targetFields(ctx: RunContext, planned: PlannedTarget): LogFields {
  const { target, objectName } = planned;
  return { runId: ctx.runId, targetId: target.id, database: target.database, object: objectName };
}

export function proofWindow(ctx: RunContext, planned: PlannedTarget): ProofWindow {
  return { date: planned.date, timeZone: ctx.config.timeZone, graceMinutes: ctx.config.jobTimeoutMinutes };
}

type Final = Exclude<BackupOutcome, 'planned'>;

/** Logs `backup.<outcome>` with the target's fields and returns its report. */
export function finish(
  ctx: RunContext,
  planned: PlannedTarget,
  outcome: Final,
  message: string,
  extra: Partial<TargetReport<BackupOutcome>> & { bytesRead?: number } = {},
): TargetReport<BackupOutcome> {
  const { bytesRead, ...reported } = extra;
  const report = reportFor<BackupOutcome>(planned, outcome, {
    ...reported,
    durationMs: ctx.deps.clock.now().getTime() - ctx.startedAt,
  });
  ctx.deps.logger.event(`backup.${outcome}`, message, {
    ...targetFields(ctx, planned),
    jobId: report.jobId,
    bytes: report.bytes,
    bytesRead,
    generation: report.generation,
    durationMs: report.durationMs,
    errorCode: report.error?.code,
    stderrTail: report.error?.stderrTail,
    retentionClass: report.retention?.class ?? undefined,
    keptUntil: report.retention?.keptUntil,
  });
  return report;
}

export function failed(ctx: RunContext, planned: PlannedTarget, error: FailureInfo, jobId?: string) {
  return finish(ctx, planned, 'failed', `backup of ${planned.target.database} failed: ${error.message}`, {
    error,
    ...(jobId && { jobId }),
  });
}
