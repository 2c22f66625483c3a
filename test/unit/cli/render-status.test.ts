// `db-backup status` as printed: a point-in-time database's recovery point and last drill at a moment get lines of
// their own beneath the table, the moments in the configured zone as the admin types them; a database without them
// gets none.
import { describe, expect, it } from 'vitest';
import { renderStatus } from '../../../cli/render-status.js';
import type { StatusReport } from '../../../functions/api.js';

const base = (targetId: string) => ({
  targetId,
  database: targetId,
  engine: 'mysql' as const,
  due: '20261207',
  problems: [],
});

const report: StatusReport = {
  kind: 'status',
  checkedAt: '2026-12-07T12:00:00.000Z',
  schedule: '0 2 * * *',
  timeZone: 'Europe/Berlin',
  targets: [
    {
      ...base('HospitalDB'),
      recoveryPoint: {
        reachesTo: '2026-12-07T11:58:41.000Z',
        lagMinutes: 1,
        targetMinutes: 15,
        backup: 'HospitalDB_20261207.sql.gz',
        chainEnd: 'binlog.000042',
      },
      lastPointInTimeDrill: {
        at: '2026-12-06T03:00:00.000Z',
        runId: 'r1',
        outcome: 'restored',
        by: 'restore',
        moment: '2026-12-05T14:32:07.000Z',
        ageHours: 33,
      },
    },
    base('app'),
  ],
  problems: [],
};

describe('status as printed', () => {
  it("shows a point-in-time database's last drill at a moment, and only its", () => {
    const lines = renderStatus(report).split('\n');
    expect(lines).toContain(
      '  HospitalDB  last drill at a moment: 2026-12-05 15:32:07 GMT+1, restored 33.0 h ago',
    );
    expect(lines.filter((line) => line.includes('drill at a moment'))).toHaveLength(1);
  });

  it("shows a point-in-time database's recovery point in the configured zone, against the target, and only its", () => {
    const lines = renderStatus(report).split('\n');
    expect(lines).toContain(
      '  HospitalDB  can be restored to 2026-12-07 12:58:41 GMT+1 (1 min ago; target 15 min)',
    );
    expect(lines.filter((line) => line.includes('can be restored to'))).toHaveLength(1);
  });
});
