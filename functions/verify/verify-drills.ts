// The morning's look at the drills: every `verify` follows up the drills an earlier restore run left running — those
// that ended since, are stuck, or their agent forgot — so a failed or stuck drill is alerted the next morning, not
// at the next weekly drill. The drills' report is alerted as a drill's, apart from the backups'.
import type { Target } from '../config/schema.js';
import type { ScheduledExecution } from '../http/scheduled-execution.js';
import { closeRestoreRun } from '../restore/close-run.js';
import { collectEarlierDrills } from '../restore/earlier-drills.js';
import type { RestoreContext } from '../restore/restore-context.js';
import type { RestoreOutcome, RunReport } from '../run/report.js';
import type { VerifyContext } from './verify-context.js';

/** The drills that ended, as a drill's report (logged, and alerted if one failed); undefined when none was pending. */
export async function verifyDrills(
  ctx: VerifyContext,
  targets: readonly Target[],
  execution?: ScheduledExecution,
): Promise<RunReport<RestoreOutcome> | undefined> {
  const startedAt = ctx.deps.clock.now().getTime();
  // Nothing is awaited here: the agent is asked once per drill, so the polling budget ends as it starts.
  const drillCtx: RestoreContext = { ...ctx, drill: true, deadline: startedAt, startedAt };
  const reports = await collectEarlierDrills(drillCtx, targets);
  if (reports.length === 0) return undefined;
  return closeRestoreRun(drillCtx, reports, execution);
}
