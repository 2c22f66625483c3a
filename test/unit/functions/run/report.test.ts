import { describe, expect, it } from 'vitest';
import { httpStatusOf, type Outcome, summarise } from '../../../../functions/run/report.js';

function report(outcomes: Outcome[]) {
  return summarise({
    kind: 'backup',
    runId: 'r',
    date: '20250301',
    startedAt: '',
    finishedAt: '',
    targets: outcomes.map((outcome, i) => ({
      targetId: `t${i}`,
      database: `d${i}`,
      engine: 'mysql' as const,
      objectName: `d${i}_20250301.sql.gz`,
      outcome,
    })),
  });
}

describe('summarise', () => {
  it.each<[Outcome[], 'ok' | 'failed', number]>([
    [['succeeded', 'succeeded'], 'ok', 200],
    [['succeeded', 'exists', 'running'], 'ok', 200],
    [['planned'], 'ok', 200],
    [['failed', 'skipped'], 'failed', 500],
    [['verified', 'settled', 'running'], 'ok', 200],
    [['verified', 'missing'], 'failed', 500],
    [['interrupted'], 'failed', 500],
    [['stuck'], 'failed', 500],
  ])('%j → %s, HTTP %d', (outcomes, status, http) => {
    const summary = report(outcomes);
    expect(summary.status).toBe(status);
    expect(httpStatusOf(summary)).toBe(http);
  });

  it('counts each outcome', () => {
    expect(report(['succeeded', 'failed', 'skipped', 'skipped']).counts).toEqual({
      succeeded: 1,
      failed: 1,
      skipped: 2,
    });
  });
});
