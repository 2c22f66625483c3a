// customTime only moves forward: the emulator refuses a move back with Cloud Storage's error, and the function never
// attempts one — not for a backup an admin kept longer by hand, nor for one whose class a late settle shortened.
import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { runBackup } from '../../../../functions/backup/run-backup.js';
import { runRetention } from '../../../../functions/retention/run-retention.js';
import { runVerify } from '../../../../functions/verify/run-verify.js';
import { BUCKET, type RunFixture, startRunFixture } from '../run-fixture.js';
import { type JobScript, type ScriptedAgent, scriptedAgent } from '../scripted-agent.js';
import { customTimesSent, recordRequests, type SentRequest } from './storage-requests.js';

const DUMP = Buffer.from('-- a dump\n'.repeat(100));
const ZONE = 'UTC';
const fixtures: RunFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((fixture) => fixture.close()));
});

interface Night {
  agent: ScriptedAgent;
  fixture: RunFixture;
  scripts: Record<string, JobScript>;
  sent: SentRequest[];
  at(iso: string): void;
  backup(): ReturnType<typeof runBackup>;
  object(date: string): ReturnType<ReturnType<RunFixture['storage']['bucket']>['file']>;
}

/** One target, `a`, whose first backup, on Thursday 2 January 2031, is its yearly copy. */
async function setUp(): Promise<Night> {
  const scripts: Record<string, JobScript> = { a: { states: ['succeeded'], bytes: DUMP } };
  const agent = scriptedAgent(scripts);
  const fixture = await startRunFixture(agent, {}, {}, new Date('2031-01-02T02:00:00Z'));
  fixtures.push(fixture);
  const night: Night = {
    agent,
    fixture,
    scripts,
    sent: recordRequests(fixture.storage),
    at: (iso) => fixture.clock.advance(Date.parse(iso) - fixture.clock.now().getTime()),
    backup: () => runBackup(fixture.config, fixture.deps, { databases: ['a'], force: false, dryRun: false }),
    object: (date) => fixture.storage.bucket(BUCKET).file(`a_${date}.sql.gz`),
  };
  expect((await night.backup()).targets[0]).toMatchObject({
    outcome: 'succeeded',
    retention: { class: 'yearly', keptUntil: '2036-01-01T00:00:00.000Z' },
  });
  return night;
}

const customTimeOf = async (file: ReturnType<Night['object']>) => (await file.getMetadata())[0].customTime;

describe('moving customTime back', () => {
  it("is refused by the emulator with Cloud Storage's error, and the customTime stays", async () => {
    const night = await setUp();
    const file = night.object('20310102');
    await expect(file.setMetadata({ customTime: '2031-01-13T00:00:00Z' })).rejects.toMatchObject({
      code: 400,
      message:
        'Custom time cannot be decreased. Previously: 2036-01-01T00:00:00+00:00. Attempting to set: 2031-01-13T00:00:00+00:00.',
    });
    expect(await customTimeOf(file)).toBe('2036-01-01T00:00:00.000Z');
  });

  it('is never attempted for a backup an admin kept longer, however long its target keeps failing', async () => {
    const night = await setUp();
    night.at('2031-01-03T02:00:00Z');
    expect((await night.backup()).targets[0]?.retention?.class).toBe('daily');
    await night.object('20310103').setMetadata({ customTime: '2099-01-01T00:00:00Z' });
    const before = night.sent.length;
    night.scripts.a = { states: ['failed'] };
    for (const day of ['04', '05', '06', '07', '08', '09', '10', '11', '12', '13']) {
      night.at(`2031-01-${day}T02:00:00Z`);
      await night.backup();
      night.at(`2031-01-${day}T08:00:00Z`);
      const verify = await runVerify(night.fixture.config, night.fixture.deps, { databases: ['a'] });
      expect(verify.targets[0]?.newestKept).toBeUndefined();
    }
    const retention = await runRetention(night.fixture.config, night.fixture.deps, { dryRun: false });
    expect(retention.targets[0]?.backups.map(({ objectName, action }) => [objectName, action])).toEqual([
      ['a_20310103.sql.gz', 'unchanged'],
      ['a_20310102.sql.gz', 'unchanged'],
    ]);
    expect(customTimesSent(night.sent.slice(before))).toEqual(new Map());
    expect(night.fixture.events()).not.toContain('retention.hold-failed');
    expect(await customTimeOf(night.object('20310103'))).toBe('2099-01-01T00:00:00.000Z');
  });

  it('is never attempted for a weekly copy that a late settle of the day before made a mere daily', async () => {
    const night = await setUp();
    // Monday's dump outlives its run's budget and ends late that night, after verify has looked.
    const monday: JobScript = { states: ['running'], bytes: DUMP };
    night.scripts.a = monday;
    night.at('2031-01-06T02:00:00Z');
    expect((await night.backup()).targets[0]?.outcome).toBe('running');
    monday.states = ['succeeded'];
    night.at('2031-01-06T23:00:00Z');
    await night.agent.find('', 'a', 'a_20310106.sql.gz');
    // Tuesday's is settled first: the week's first good backup, its weekly copy.
    night.scripts.a = { states: ['succeeded'], bytes: DUMP };
    night.at('2031-01-07T02:00:00Z');
    expect((await night.backup()).targets[0]?.retention).toEqual({
      class: 'weekly',
      keptUntil: '2031-02-03T00:00:00.000Z',
    });
    // Then verify, asked about Monday, settles it: Monday is the week's first good backup too.
    night.at('2031-01-07T08:00:00Z');
    const monday8 = DateTime.fromISO('2031-01-06T12:00:00', { zone: ZONE }).toJSDate();
    const verify = await runVerify(night.fixture.config, night.fixture.deps, {
      databases: ['a'],
      day: monday8,
    });
    expect(verify.targets[0]).toMatchObject({ outcome: 'settled', retention: { class: 'weekly' } });
    // Tuesday would now be only a daily copy, kept to the 14th: retention leaves its later customTime alone.
    const before = night.sent.length;
    const retention = await runRetention(night.fixture.config, night.fixture.deps, { dryRun: false });
    expect(retention.status).toBe('ok');
    expect(retention.targets[0]?.backups[0]).toMatchObject({
      objectName: 'a_20310107.sql.gz',
      action: 'unchanged',
      class: 'weekly',
      keptUntil: '2031-02-03T00:00:00.000Z',
    });
    expect(customTimesSent(night.sent.slice(before)).get('a_20310107.sql.gz')).toBeUndefined();
    expect(await customTimeOf(night.object('20310107'))).toBe('2031-02-03T00:00:00.000Z');
  });
});
