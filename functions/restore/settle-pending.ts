// Drills an earlier run left running (its budget ended first): each object still marked with a running drill is
// looked up on its agent and, once that restore has ended, recorded — and reported, so a failed one is alerted.
import { BackupError } from '../../core/errors.js';
import { isFinal } from '../../core/protocol.js';
import type { RestoreStatus } from '../../core/restore-protocol.js';
import type { Target } from '../config/schema.js';
import type { RestoreOutcome, TargetReport } from '../report.js';
import { listTargetBackups } from '../storage/target-backups.js';
import { updateObject } from '../storage/update-object.js';
import { drillSettled, pendingDrill } from './drill-marks.js';
import type { RestoreContext } from './restore-context.js';
import { settleRestore } from './settle-restore.js';

export async function settlePendingDrills(
  ctx: RestoreContext,
  targets: readonly Target[],
): Promise<TargetReport<RestoreOutcome>[]> {
  const reports: TargetReport<RestoreOutcome>[] = [];
  const drillCtx = { ...ctx, drill: true };
  for (const target of targets) {
    try {
      for (const { info, date } of await listTargetBackups(ctx.bucket, ctx.config.prefix, target)) {
        const jobId = pendingDrill(info);
        if (!jobId || !info.crc32c || !info.md5Hash) continue;
        const status = await ctx.agent.restore(target.agentUrl, jobId);
        if (status && !isFinal(status.state)) continue;
        let last: RestoreStatus | Error | null = status;
        if (!status) {
          // The agent forgot it (pruned, or another agent now): the drill proved nothing, and says so.
          const errorMessage = `the agent knows no drill ${jobId} of ${info.name}`;
          last = new BackupError('JOB_UNKNOWN', errorMessage);
          const failed = { state: 'failed' as const, errorCode: 'JOB_UNKNOWN', errorMessage };
          await updateObject(ctx.bucket, info, { metadata: drillSettled(failed, ctx.deps.clock.now()) });
        }
        const backup = { info: { ...info, crc32c: info.crc32c, md5Hash: info.md5Hash }, date };
        const report = await settleRestore(
          drillCtx,
          { planned: { target, objectName: info.name, date }, backup, jobId },
          last,
        );
        reports.push({
          ...report,
          note: `a drill of an earlier run, ended since${report.note ? `; ${report.note}` : ''}`,
        });
      }
    } catch (error) {
      ctx.deps.logger.event(
        'restore.poll-failed',
        `could not look for earlier drills of ${target.id}: ${(error as Error).message}`,
        {
          runId: ctx.runId,
          targetId: target.id,
        },
      );
    }
  }
  return reports;
}
