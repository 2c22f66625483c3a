// The run tables db-backup prints: a verify shows the earlier drills it settled beneath its own table.
import { describe, expect, it } from 'vitest';
import { renderRun } from '../../../cli/render.js';
import type { RunReport, TargetReport } from '../../../functions/api.js';

type Outcome = TargetReport['outcome'];

const target = <O extends Outcome>(outcome: O, extra: Partial<TargetReport<O>> = {}): TargetReport<O> => ({
  targetId: 'hospital',
  database: 'HospitalDB',
  engine: 'mysql',
  objectName: 'HospitalDB_20261129.sql.gz',
  outcome,
  ...extra,
});

const run = <O extends Outcome>(
  kind: RunReport['kind'],
  targets: TargetReport<O>[],
  extra: Partial<RunReport<O>> = {},
): RunReport<O> => ({
  kind,
  runId: '00000000-0000-4000-8000-000000000001',
  date: '20261129',
  startedAt: '2026-11-30T06:00:00.000Z',
  finishedAt: '2026-11-30T06:00:05.000Z',
  status: 'ok',
  counts: {},
  targets,
  ...extra,
});

describe('renderRun', () => {
  it("shows a verify's settled drills as a drill's own table, with the failure's reason", () => {
    const stuck = target('failed', {
      error: { code: 'JOB_TIMEOUT', message: 'drill r-1 of HospitalDB_20261129.sql.gz is stuck: cancelled' },
    });
    const drills = run('restore', [stuck], { drill: true, status: 'failed' });
    const text = renderRun(run('verify', [target('verified')], { drills }));
    const [verify, drill] = text.split(/\n(?=restore drill )/);
    expect(verify).toMatch(/^verify .*: ok$/m);
    expect(verify).toMatch(/^hospital\s+verified\s+HospitalDB_20261129\.sql\.gz/m);
    expect(drill).toMatch(/^restore drill .*: failed$/m);
    expect(drill).toMatch(/^hospital\s+failed\s+.*JOB_TIMEOUT: drill r-1 .* is stuck: cancelled/m);
  });

  it('shows no drill table when verify settled none', () => {
    expect(renderRun(run('verify', [target('verified')]))).not.toContain('restore drill');
  });
});
