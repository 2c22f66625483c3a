// An object already under today's name: `exists` only when it is proven ours, otherwise a failure to look into.

import { knownFault } from '../object/good-backup.js';
import { proveObject } from '../object/prove-object.js';
import { readRetention } from '../retention/metadata.js';
import { errorFailure } from '../run/failure.js';
import type { PlannedTarget } from '../run/plan.js';
import type { BackupOutcome, TargetReport } from '../run/report.js';
import type { ObjectInfo } from '../storage/objects.js';
import { type BackupContext, backupDay, backupFailed, finishBackup } from './backup-context.js';

export async function existingOutcome(
  ctx: BackupContext,
  planned: PlannedTarget,
  info: ObjectInfo,
): Promise<TargetReport<BackupOutcome>> {
  const fault = knownFault(info);
  if (fault) {
    // A same-day rerun must not report a doubtful object as a good `exists`.
    return backupFailed(ctx, planned, {
      code: fault.code,
      message: `${fault.message}: replace it with force=true`,
    });
  }
  try {
    const job = await proveObject(ctx.agent, planned.target, info, backupDay(ctx, planned));
    const retention = readRetention(info);
    return finishBackup(
      ctx,
      planned,
      'exists',
      `${info.name} already exists, written by job ${job.jobId}: not overwritten`,
      {
        jobId: job.jobId,
        bytes: info.size,
        generation: info.generation,
        ...(retention && { retention }),
      },
    );
  } catch (error) {
    return backupFailed(ctx, planned, errorFailure(error));
  }
}
