// `db-backup status` as printed: a point-in-time database's last drill at a moment gets a line of its own beneath
// the table, with the moment and how it went; a database without one gets none.
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
  timeZone: 'UTC',
  targets: [
    {
      ...base('HospitalDB'),
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
      '  HospitalDB  last drill at a moment: 2026-12-05T14:32:07.000Z, restored 33.0 h ago',
    );
    expect(lines.filter((line) => line.includes('drill at a moment'))).toHaveLength(1);
  });
});
