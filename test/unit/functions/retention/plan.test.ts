// A target's retention plan: classes applied to what is in the bucket, the newest good copy kept past its class,
// unchecked backups left without an end, and never a customTime earlier than the object's own.
import { describe, expect, it } from 'vitest';
import type { RetentionPolicy } from '../../../../functions/retention/classes.js';
import { readRetention } from '../../../../functions/retention/metadata.js';
import { keptBackups, planRetention } from '../../../../functions/retention/plan.js';
import type { TargetBackup } from '../../../../functions/storage/target-backups.js';

const POLICY: RetentionPolicy = { timeZone: 'UTC', lengths: { daily: 7, weekly: 4, monthly: 12, yearly: 5 } };

function backup(date: string, fields: { checked?: boolean; customTime?: string; metadata?: object } = {}) {
  const { checked = true, customTime, metadata = {} } = fields;
  return {
    date,
    info: {
      name: `db_${date}.sql.gz`,
      generation: '1',
      metageneration: '1',
      size: 1,
      timeCreated: '2031-01-01T00:00:00.000Z',
      ...(customTime && { customTime }),
      metadata: { ...(checked && { checkedAt: '2031-01-01T00:00:00.000Z' }), ...metadata },
    },
  } satisfies TargetBackup;
}

/** Newest first, as the bucket lists them. */
const newestFirst = (backups: TargetBackup[]) => [...backups].sort((a, b) => b.date.localeCompare(a.date));

describe('a bucket from before retention', () => {
  it('gets every class, past retention ends marked due, the newest copy kept as long as a daily made today', () => {
    const now = new Date('2031-03-10T12:00:00Z');
    const dates = ['20301215', '20301216', '20310101', '20310102', '20310303', '20310309'];
    const plan = planRetention(newestFirst(dates.map((date) => backup(date))), now, POLICY);
    expect(
      plan.map(({ report }) => [report.date, report.class, report.keptUntil, report.action, report.due]),
    ).toEqual([
      // Sunday 9 March: a daily copy of 16 March, kept to the 17th as the newest on the 10th.
      ['20310309', 'daily', '2031-03-17T00:00:00.000Z', 'extend', undefined],
      ['20310303', 'monthly', '2032-03-01T00:00:00.000Z', 'extend', undefined],
      ['20310102', 'daily', '2031-01-09T00:00:00.000Z', 'extend', true],
      ['20310101', 'yearly', '2036-01-01T00:00:00.000Z', 'extend', undefined],
      // Monday 16 December 2030 began a week: its weekly copy ended on 13 January.
      ['20301216', 'weekly', '2031-01-13T00:00:00.000Z', 'extend', true],
      ['20301215', 'yearly', '2035-01-01T00:00:00.000Z', 'extend', undefined],
    ]);
    expect(plan[0]).toMatchObject({ held: true, report: { newest: true, previous: null } });
    expect(plan[0]?.update).toEqual({
      keepUntil: new Date('2031-03-17T00:00:00Z'),
      retention: { retentionClass: 'daily', retentionHold: 'newest' },
    });
    expect(plan[1]?.update).toEqual({
      keepUntil: new Date('2032-03-01T00:00:00Z'),
      retention: { retentionClass: 'monthly', retentionHold: null },
    });
  });
});

describe('the newest good copy', () => {
  it('is kept past its class while no newer good backup exists, marked as held', () => {
    const now = new Date('2031-03-20T08:00:00Z');
    const daily = '2031-03-16T00:00:00.000Z';
    const plan = planRetention(
      newestFirst([
        ...['20310101', '20310301', '20310303'].map((date) =>
          backup(date, { customTime: '2036-01-01T00:00:00Z' }),
        ),
        backup('20310309', { customTime: daily, metadata: { retentionClass: 'daily' } }),
        backup('20310319', { checked: false }),
      ]),
      now,
      POLICY,
    );
    expect(plan[0]?.report).toMatchObject({ date: '20310319', action: 'unchecked', unchecked: true });
    expect(plan[0]?.update).toBeUndefined();
    expect(plan[1]).toMatchObject({
      held: true,
      report: { newest: true, keptUntil: '2031-03-27T00:00:00.000Z', previous: daily, action: 'extend' },
      update: { retention: { retentionClass: 'daily', retentionHold: 'newest' } },
    });
  });
});

describe('a customTime already later than the class', () => {
  it('is left as it is: nothing is planned that would move it back', () => {
    const far = '2099-01-01T00:00:00.000Z';
    const plan = planRetention(
      [backup('20310310', { customTime: far, metadata: { retentionClass: 'yearly' } })],
      new Date('2031-03-10T12:00:00Z'),
      POLICY,
    );
    expect(plan[0]).toMatchObject({
      held: false,
      report: { action: 'unchanged', keptUntil: far, class: 'yearly' },
    });
    expect(plan[0]?.update).toBeUndefined();
  });
});

describe('the backups as they stand', () => {
  it('lists the recorded class and end, the newest good copy, and what was never checked', () => {
    const kept = keptBackups(
      newestFirst([
        backup('20310309', {
          customTime: '2031-03-27T00:00:00Z',
          metadata: { retentionClass: 'daily', retentionHold: 'newest' },
        }),
        backup('20310310', { checked: false }),
      ]),
    );
    expect(kept).toEqual([
      { objectName: 'db_20310310.sql.gz', date: '20310310', class: null, keptUntil: null, unchecked: true },
      {
        objectName: 'db_20310309.sql.gz',
        date: '20310309',
        class: 'daily',
        keptUntil: '2031-03-27T00:00:00.000Z',
        newest: true,
      },
    ]);
  });

  it('reads a customTime set by someone else as an end without a class of ours', () => {
    expect(
      readRetention({ customTime: '2031-03-27T00:00:00Z', metadata: { retentionClass: 'hourly' } }),
    ).toEqual({
      class: null,
      keptUntil: '2031-03-27T00:00:00.000Z',
    });
    expect(readRetention({ metadata: { retentionClass: 'daily' } })).toBeUndefined();
  });
});
