// Four hundred nights of backups of two databases, some failing — the first of a week, of a month and of a year,
// fifteen in a row across a month's start, and the last two — with the function's and the emulator's clocks moved
// day by day and lifecycle run each day. Every day each database keeps exactly what GFS keeps, never nothing; at the
// end, the 7 daily, the weekly, monthly and yearly copies, the right ones; and the function never deleted anything
// nor sent a customTime earlier than one it had set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET } from '../run-fixture.js';
import { type Played, PREFIX, playNights } from './nightly-play.js';
import { customTimesSent } from './storage-requests.js';

/** `count` nights from `first` (yyyy-MM-dd), as yyyyMMdd. */
const nights = (first: string, count: number) =>
  Array.from({ length: count }, (_, index) => {
    const day = new Date(`${first}T12:00:00Z`);
    day.setUTCDate(day.getUTCDate() + index);
    return day.toISOString().slice(0, 10).replaceAll('-', '');
  });

let played: Played;
let seconds: number;

beforeAll(async () => {
  const started = performance.now();
  played = await playNights({
    start: '2030-11-25',
    nights: 400,
    timeZone: 'Pacific/Auckland',
    lengths: { dailyDays: 7, weeklyWeeks: 4, monthlyMonths: 12, yearlyYears: 5 },
    failing: {
      // Monday 9 December 2030 (first of its week), 1 January 2031 (first of the year and month), Saturday 1
      // March, Monday 1 December 2031 (first of its week and month) and Monday 8 December.
      a: ['20301209', '20310101', '20310301', '20311201', '20311208'],
      // Fifteen nights from 22 August to 5 September, and the last two.
      b: [...nights('2031-08-22', 15), '20311228', '20311229'],
    },
  });
  seconds = (performance.now() - started) / 1000;
}, 900_000);

afterAll(async () => {
  await played?.fixture.close();
});

describe('400 nightly backups against the emulator, lifecycle run each day', () => {
  it('kept exactly the GFS copies every day, and no database was ever without a backup', () => {
    // playNights compares every day's survivors with the model; here is the least count it saw.
    expect(played.fewest).toBeGreaterThanOrEqual(1);
    console.log(`400 nights of 2 databases played in ${seconds.toFixed(1)} s`);
  });

  it('ends with the 7 daily, 4 weekly, 12 monthly and the yearly copies: after a failed first, the next', () => {
    const months = [
      '20310201',
      '20310401',
      '20310501',
      '20310601',
      '20310701',
      '20310801',
      '20311001',
      '20311101',
    ];
    const days = ['20311223', '20311224', '20311225', '20311226', '20311227'];
    expect(played.survivors.a).toEqual(
      [
        ...['20301125', '20310102'], // yearly: the first night, and 2 January once 1 January failed
        ...months,
        ...['20310302', '20310901', '20311202'], // monthly: 2 March and 2 December after failed firsts
        ...['20311209', '20311215', '20311222'], // weekly: Tuesday 9 December after a failed Monday
        ...days,
        ...['20311228', '20311229'], // daily; Monday 29 December is also its week's copy
      ].sort(),
    );
    // b's September copy is the 6th, after the streak; its last two nights failed, so this week has no copy and
    // 27 December is kept as its newest good backup.
    expect(played.survivors.b).toEqual(
      [
        ...['20301125', '20310101'],
        ...months,
        ...['20310301', '20310906', '20311201'],
        ...['20311208', '20311215', '20311222'],
        ...days,
      ].sort(),
    );
  });

  it('records the class on each backup, and the newest good copy kept past its class', async () => {
    const bucket = played.fixture.storage.bucket(BUCKET);
    const [files] = await bucket.getFiles({ prefix: `${PREFIX}a_` });
    const classes = Object.fromEntries(
      files.map((file) => [file.name.slice(-15, -7), file.metadata.metadata?.retentionClass]),
    );
    expect(classes).toMatchObject({
      '20301125': 'yearly',
      '20310102': 'yearly',
      '20310302': 'monthly',
      '20311202': 'monthly',
      '20311209': 'weekly',
      '20311222': 'weekly',
      '20311223': 'daily',
      '20311229': 'weekly',
    });
    const [newest] = await bucket.file(`${PREFIX}b_20311227.sql.gz`).getMetadata();
    // Held on the 29th: midnight starting that day in Auckland (11:00 UTC on the 28th), plus 7 days.
    expect(newest.customTime).toBe('2032-01-04T11:00:00.000Z');
    expect(newest.metadata).toMatchObject({ retentionClass: 'daily', retentionHold: 'newest' });
  });

  it('left each expired backup noncurrent for one lifecycle pass, and then deleted it', () => {
    // playNights checks after every pass that each noncurrent version was made so by that very pass.
    expect(played.noncurrent).toBeGreaterThan(700);
  });

  it('never asked Cloud Storage to delete an object, nor sent a customTime earlier than one it had set', () => {
    expect(played.sent.filter((request) => request.method === 'DELETE')).toEqual([]);
    const sequences = customTimesSent(played.sent);
    // Every good backup was given one when settled.
    expect(sequences.size).toBe(2 * 400 - 5 - 17);
    for (const [object, times] of sequences) {
      const ascending = [...times].sort((x, y) => Date.parse(x) - Date.parse(y));
      expect(new Set(times).size, object).toBe(times.length);
      expect(times, object).toEqual(ascending);
    }
  });
});
