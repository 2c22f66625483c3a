// The classes of a good backup: each period's first good backup is its copy, kept until the period's start plus the
// class's length, in the backup time zone, ISO weeks and calendar-aware across DST.
import { describe, expect, it } from 'vitest';
import {
  backupDay,
  classEnd,
  newestCopyEnd,
  periodOf,
  type RetentionClass,
  type RetentionPolicy,
} from '../../../../functions/retention/classes.js';
import { classify, periodFirsts } from '../../../../functions/retention/classify.js';

const policy = (timeZone = 'UTC', lengths: Partial<RetentionPolicy['lengths']> = {}): RetentionPolicy => ({
  timeZone,
  lengths: { daily: 7, weekly: 4, monthly: 12, yearly: 5, ...lengths },
});

const at = (iso: string) => new Date(iso);
const period = (date: string, retentionClass: RetentionClass) => periodOf(backupDay(date), retentionClass);
const endOf = (date: string, retentionClass: RetentionClass, used = policy()) =>
  classEnd(backupDay(date), retentionClass, used);
const classOf = (date: string, good: string[], used = policy()) => classify(date, periodFirsts(good), used);

describe('periods', () => {
  it('names ISO weeks by their week-year: 30 December 2030 is in 2031-W01', () => {
    expect(period('20301229', 'weekly')).toBe('2030-W52');
    expect(period('20301230', 'weekly')).toBe('2031-W01');
    expect(period('20310105', 'weekly')).toBe('2031-W01');
    expect(period('20310105', 'monthly')).toBe('2031-01');
    expect(period('20310105', 'yearly')).toBe('2031');
    expect(period('20310105', 'daily')).toBe('2031-01-05');
  });

  it('refuses a date that is not yyyyMMdd', () => {
    expect(() => backupDay('2031-01-05')).toThrow('not a backup date (yyyyMMdd): "2031-01-05"');
    expect(() => backupDay('20310230')).toThrow('not a backup date (yyyyMMdd): "20310230"');
  });
});

describe('when a class ends', () => {
  it("is its period's start plus its length", () => {
    expect(endOf('20310105', 'daily')).toEqual(at('2031-01-12T00:00:00Z'));
    // Wednesday 1 January 2031: its ISO week began on Monday 30 December 2030.
    expect(endOf('20310101', 'weekly')).toEqual(at('2031-01-27T00:00:00Z'));
    expect(endOf('20310115', 'monthly')).toEqual(at('2032-01-01T00:00:00Z'));
    expect(endOf('20310102', 'yearly')).toEqual(at('2036-01-01T00:00:00Z'));
  });

  it('is a local midnight in the backup time zone, across a change of daylight saving time', () => {
    // Auckland is 13 hours ahead in January: the day of 5 January starts at 11:00 UTC on the 4th.
    expect(endOf('20310105', 'daily', policy('Pacific/Auckland'))).toEqual(at('2031-01-11T11:00:00Z'));
    // Lisbon moves to summer time on 30 March 2031: a week after the 25th starts at 23:00 UTC, not midnight.
    expect(endOf('20310325', 'daily', policy('Europe/Lisbon'))).toEqual(at('2031-03-31T23:00:00Z'));
  });

  it("keeps the newest copy as long as a backup made today: today's start plus the daily length", () => {
    expect(newestCopyEnd(at('2031-01-05T23:59:00Z'), policy())).toEqual(at('2031-01-12T00:00:00Z'));
    expect(newestCopyEnd(at('2031-01-05T23:59:00Z'), policy('Pacific/Auckland'))).toEqual(
      at('2031-01-12T11:00:00Z'),
    );
  });
});

describe('classifying a good backup', () => {
  it('makes the first of a year the yearly copy, kept the longest', () => {
    const copy = classOf('20310101', ['20301231']);
    expect(copy).toEqual({
      class: 'yearly',
      classes: ['daily', 'monthly', 'yearly'],
      until: at('2036-01-01T00:00:00Z'),
    });
  });

  it("makes the next good one of a week the weekly copy when the week's first backup failed", () => {
    // Monday 6 January failed: nothing good that week before Tuesday.
    expect(classOf('20310107', ['20310101', '20310105'])).toMatchObject({
      class: 'weekly',
      classes: ['daily', 'weekly'],
      until: at('2031-02-03T00:00:00Z'),
    });
    expect(classOf('20310108', ['20310101', '20310105', '20310107'])).toMatchObject({
      class: 'daily',
      classes: ['daily'],
      until: at('2031-01-15T00:00:00Z'),
    });
  });

  it('counts only earlier good backups: a later one, or the backup itself, takes no place', () => {
    expect(classOf('20310203', ['20310101', '20310203', '20310204', '20310210']).classes).toEqual([
      'daily',
      'weekly',
      'monthly',
    ]);
  });

  it('leaves out a class of length 0', () => {
    const dailyOnly = policy('UTC', { weekly: 0, monthly: 0, yearly: 0 });
    expect(classOf('20310101', [], dailyOnly)).toEqual({
      class: 'daily',
      classes: ['daily'],
      until: at('2031-01-08T00:00:00Z'),
    });
  });

  it('names the copy after the longer class when two end together', () => {
    // Monday 1 February 2027 plus 4 weeks, and plus 1 month, are both 1 March 2027.
    const meeting = policy('UTC', { monthly: 1, yearly: 0 });
    expect(classOf('20270201', ['20270131'], meeting)).toMatchObject({
      class: 'monthly',
      classes: ['daily', 'weekly', 'monthly'],
      until: at('2027-03-01T00:00:00Z'),
    });
  });
});
