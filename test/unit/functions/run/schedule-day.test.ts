// The watchdog's day: the date of the latest scheduled backup, not today's.
import { describe, expect, it } from 'vitest';
import { backupDate } from '../../../../core/object-name.js';
import { lastScheduledRun } from '../../../../functions/run/schedule-day.js';

describe('lastScheduledRun', () => {
  it("finds yesterday's 23:30 backup when checked at 00:30", () => {
    const run = lastScheduledRun('30 23 * * *', 'Europe/Lisbon', new Date('2026-06-02T00:30:00+01:00'));
    expect(run.toISOString()).toBe('2026-06-01T22:30:00.000Z');
    expect(backupDate(run, 'Europe/Lisbon')).toBe('20260601');
  });

  it("finds today's 02:00 backup when checked at 06:00, and a run scheduled exactly now", () => {
    expect(lastScheduledRun('0 2 * * *', 'UTC', new Date('2026-06-02T06:00:00Z')).toISOString()).toBe(
      '2026-06-02T02:00:00.000Z',
    );
    expect(lastScheduledRun('0 2 * * *', 'UTC', new Date('2026-06-02T02:00:00Z')).toISOString()).toBe(
      '2026-06-02T02:00:00.000Z',
    );
  });

  it('reads the schedule in its time zone across a daylight-saving change', () => {
    // 2026-03-29: Lisbon moves from UTC+0 to UTC+1 at 01:00 UTC.
    const run = lastScheduledRun('0 2 * * *', 'Europe/Lisbon', new Date('2026-03-29T12:00:00Z'));
    expect(run.toISOString()).toBe('2026-03-29T01:00:00.000Z');
  });
});
