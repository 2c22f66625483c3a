// What every step of a backup run shares beyond any run's, and how a backup target's outcome is reported: its
// duration since the run started, and the bytes its dump read.
import type { BackupDay } from '../object/prove-object.js';
import type { FailureInfo } from '../run/failure.js';
import type { PlannedTarget } from '../run/plan.js';
import type { BackupOutcome, TargetDetails, TargetReport } from '../run/report.js';
import { finishTarget, type RunContext } from '../run/run-context.js';

export interface BackupContext extends RunContext {
  force: boolean;
}

export function backupDay(ctx: BackupContext, planned: PlannedTarget): BackupDay {
  return { date: planned.date, timeZone: ctx.config.timeZone };
}

type Final = Exclude<BackupOutcome, 'planned'>;

/** Logs `backup.<outcome>` with the target's fields and returns its report. */
export function finishBackup(
  ctx: BackupContext,
  planned: PlannedTarget,
  outcome: Final,
  message: string,
  extra: TargetDetails & { bytesRead?: number } = {},
): TargetReport<BackupOutcome> {
  const { bytesRead, ...reported } = extra;
  const durationMs = ctx.deps.clock.now().getTime() - ctx.startedAt;
  return finishTarget(ctx, 'backup', planned, outcome, message, { ...reported, durationMs }, { bytesRead });
}

export function backupFailed(ctx: BackupContext, planned: PlannedTarget, error: FailureInfo, jobId?: string) {
  return finishBackup(
    ctx,
    planned,
    'failed',
    `backup of ${planned.target.database} failed: ${error.message}`,
    {
      error,
      ...(jobId && { jobId }),
    },
  );
}
