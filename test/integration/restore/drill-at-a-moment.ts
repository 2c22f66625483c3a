// What the point-in-time tests check of a drill the same way: it restored and dropped its scratch database, replayed
// up to a moment it chose to the whole second, and `status` shows it as the database's last drill at a moment.
import { expect } from 'vitest';
import type { FunctionHarness } from '../functions/harness.js';

/** Runs the drill of `database`'s function, checks the above, and gives the moment it chose. */
export async function drillAtAMoment(fn: FunctionHarness, database: string): Promise<Date> {
  const { status, report } = await fn.restore({ drill: 'true' });
  expect(status, JSON.stringify(report)).toBe(200);
  const [target] = report.targets;
  expect(target).toMatchObject({ outcome: 'restored', restore: { scratch: 'dropped' } });
  const moment = new Date(target?.pointInTime?.moment as string);
  expect(moment.getMilliseconds()).toBe(0);
  expect(target?.restore?.replay).toMatchObject({ stopAt: moment.toISOString() });
  const { report: health } = await fn.status({ database });
  expect(health.targets[0]).toMatchObject({
    lastDrill: { outcome: 'restored' },
    lastPointInTimeDrill: { outcome: 'restored', moment: moment.toISOString(), runId: report.runId },
  });
  return moment;
}
