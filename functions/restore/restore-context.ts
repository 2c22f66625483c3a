// What every step of a restore run shares beyond any run's, and how a restore target's outcome is reported: the
// backup it read (none when no backup could be chosen), and what the restore found.
import type { Target } from '../config/schema.js';
import type { LogFields } from '../logging/logger.js';
import type { FailureInfo } from '../run/failure.js';
import type { TargetObject } from '../run/plan.js';
import type { RestoreOutcome, TargetDetails, TargetReport } from '../run/report.js';
import { finishTarget, type RunContext, targetFields } from '../run/run-context.js';
import type { ChosenBackup } from './choose-backup.js';

export interface RestoreContext extends RunContext {
  /** The weekly drill's run (or the drills `verify` follows up): each restore's end is recorded on its object. */
  drill: boolean;
}

/** A target of a restore run and the backup chosen for it, once one is. */
export interface RestoreTarget {
  target: Target;
  backup?: ChosenBackup;
  /** A restore to a moment: the moment, once chosen. */
  moment?: Date;
}

/** The target and the object a restore is about, for its report: no object until a backup is chosen. */
function reported({ target, backup }: RestoreTarget): TargetObject {
  return { target, objectName: backup?.info.name ?? '' };
}

export function restoreFields(ctx: RestoreContext, restore: RestoreTarget): LogFields {
  return { ...targetFields(ctx, reported(restore)), drill: ctx.drill };
}

/** Logs `restore.<outcome>` with the target's fields and what the restore found; returns its report. */
export function finishRestore(
  ctx: RestoreContext,
  restore: RestoreTarget,
  outcome: RestoreOutcome,
  message: string,
  extra: TargetDetails = {},
): TargetReport<RestoreOutcome> {
  const found = extra.restore;
  const moment = restore.moment && { pointInTime: { moment: restore.moment.toISOString() } };
  return finishTarget(
    ctx,
    'restore',
    reported(restore),
    outcome,
    message,
    { ...extra, ...moment },
    {
      drill: ctx.drill,
      scratchDatabase: found?.scratchDatabase,
      scratch: found?.scratch,
      recoveryMs: found?.durationMs,
      tables: found?.tables.length,
      checksFailed: found?.checks.filter((check) => !check.ok).map((check) => check.name),
    },
  );
}

export function restoreFailed(
  ctx: RestoreContext,
  restore: RestoreTarget,
  error: FailureInfo,
  extra: TargetDetails = {},
) {
  const outcome = error.code === 'BACKUP_MISSING' ? 'missing' : 'failed';
  const what = ctx.drill ? 'restore drill' : 'restore';
  const message = `${what} of ${restore.target.database} ${outcome}: ${error.message}`;
  return finishRestore(ctx, restore, outcome, message, { ...extra, error });
}
