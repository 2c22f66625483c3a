// The on-demand `retention` function on a bucket that held backups before retention, a backup dry run that reports
// what is kept, and verify keeping the newest good copy alive: each checked against the emulator's objects and
// against what the function sent.
import { afterEach, describe, expect, it } from 'vitest';
import { runBackup } from '../../../../functions/backup/run-backup.js';
import { runRetention } from '../../../../functions/retention/run-retention.js';
import { runVerify } from '../../../../functions/verify/run-verify.js';
import { attestObject, BUCKET, type RunFixture, startRunFixture } from '../run-fixture.js';
import { type JobScript, scriptedAgent } from '../scripted-agent.js';
import { customTimesSent, recordRequests } from './storage-requests.js';

const DUMP = Buffer.from('-- a dump\n'.repeat(100));
const fixtures: RunFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((fixture) => fixture.close()));
});

async function setUp(start: string, scripts: Record<string, JobScript> = {}) {
  const fixture = await startRunFixture(scriptedAgent(scripts), {}, {}, new Date(start));
  fixtures.push(fixture);
  const bucket = fixture.storage.bucket(BUCKET);
  await bucket.setMetadata({
    lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { daysSinceCustomTime: 0 } }] },
  });
  return { fixture, bucket, sent: recordRequests(fixture.storage) };
}

/**
 * Backups of `a` as a version without retention left them: checked (and attested) or not, and no customTime; one
 * attested and later found wrong.
 */
async function olderBackups(fixture: RunFixture) {
  const bucket = fixture.storage.bucket(BUCKET);
  const checked = { checkedAt: '2031-01-01T00:00:00.000Z', runId: 'r', jobId: 'j', targetId: 'a' };
  for (const date of ['20301215', '20301216', '20310101', '20310102', '20310303', '20310309']) {
    await bucket.file(`a_${date}.sql.gz`).save(DUMP, { resumable: false, metadata: { metadata: checked } });
    await attestObject(fixture, `a_${date}.sql.gz`);
  }
  await bucket
    .file('a_20310308.sql.gz')
    .save(DUMP, { resumable: false, metadata: { metadata: { runId: 'r' } } });
  await bucket
    .file('a_20310307.sql.gz')
    .save(DUMP, { resumable: false, metadata: { metadata: { ...checked, checkFailed: 'crc32c differs' } } });
  await attestObject(fixture, 'a_20310307.sql.gz');
}

const PLAN = [
  // Sunday 9 March: a daily copy to the 16th, kept to the 17th as the newest on Monday the 10th.
  ['a_20310309.sql.gz', 'daily', '2031-03-17T00:00:00.000Z', 'extend'],
  ['a_20310308.sql.gz', null, null, 'unchecked'],
  ['a_20310307.sql.gz', null, null, 'unchecked'],
  ['a_20310303.sql.gz', 'monthly', '2032-03-01T00:00:00.000Z', 'extend'],
  ['a_20310102.sql.gz', 'daily', '2031-01-09T00:00:00.000Z', 'extend'],
  ['a_20310101.sql.gz', 'yearly', '2036-01-01T00:00:00.000Z', 'extend'],
  ['a_20301216.sql.gz', 'weekly', '2031-01-13T00:00:00.000Z', 'extend'],
  ['a_20301215.sql.gz', 'yearly', '2035-01-01T00:00:00.000Z', 'extend'],
];

describe('the retention function on a bucket from before retention', () => {
  it('plans in a dry run, applies once, and then finds nothing to change', async () => {
    const { fixture, bucket, sent } = await setUp('2031-03-10T09:00:00Z');
    await olderBackups(fixture);
    const run = (dryRun: boolean) => runRetention(fixture.config, fixture.deps, { databases: ['a'], dryRun });
    const rows = (report: Awaited<ReturnType<typeof run>>) =>
      report.targets[0]?.backups.map((backup) => [
        backup.objectName,
        backup.class,
        backup.keptUntil,
        backup.action,
      ]);

    const before = sent.length;
    const dry = await run(true);
    expect(dry).toMatchObject({ kind: 'retention', dryRun: true, status: 'ok' });
    expect(dry.targets[0]).toMatchObject({
      outcome: 'planned',
      counts: { extend: 6, unchanged: 0, unchecked: 2, failed: 0, due: 2 },
    });
    expect(rows(dry)).toEqual(PLAN);
    expect(sent.slice(before).filter((request) => request.method !== 'GET')).toEqual([]);

    const applied = await run(false);
    expect(applied.targets[0]?.outcome).toBe('extended');
    expect(rows(applied)).toEqual(PLAN);
    expect(fixture.events().filter((event) => event === 'retention.extended')).toHaveLength(6);
    expect(fixture.events().filter((event) => event === 'retention.unchecked')).toHaveLength(2);
    const [monthly] = await bucket.file('a_20310303.sql.gz').getMetadata();
    expect(monthly.customTime).toBe('2032-03-01T00:00:00.000Z');
    expect(monthly.metadata).toMatchObject({ retentionClass: 'monthly', checkedAt: expect.any(String) });

    const writes = sent.length;
    const again = await run(false);
    expect(again.targets[0]).toMatchObject({ outcome: 'unchanged', counts: { extend: 0, unchanged: 6 } });
    expect(customTimesSent(sent.slice(writes))).toEqual(new Map());

    // Cloud Storage then deletes the two whose retention has passed; unchecked backups are never given an end.
    await fixture.emulator.runLifecycle();
    const [left] = await bucket.getFiles();
    expect(left.map((file) => file.name).sort()).toEqual(
      PLAN.map(([name]) => name as string)
        .filter((name) => !['a_20310102.sql.gz', 'a_20301216.sql.gz'].includes(name))
        .sort(),
    );
  });

  it('refuses a database that is not configured, naming it', async () => {
    const { fixture } = await setUp('2031-03-10T09:00:00Z');
    await expect(
      runRetention(fixture.config, fixture.deps, { databases: ['nope'], dryRun: true }),
    ).rejects.toThrow('databases: not configured: "nope"');
  });
});

describe("a backup run's dry run", () => {
  it("reports each backup kept, its class and end, and tonight's class, changing nothing", async () => {
    const scripts: Record<string, JobScript> = { a: { states: ['succeeded'], bytes: DUMP } };
    const { fixture, sent } = await setUp('2031-01-31T02:00:00Z', scripts);
    const backup = (dryRun: boolean) =>
      runBackup(fixture.config, fixture.deps, { databases: ['a'], force: false, dryRun });
    await backup(false);
    fixture.clock.advance(86_400_000);
    scripts.a = { states: ['failed'] };
    await backup(false);
    fixture.clock.advance(86_400_000);
    const before = sent.length;
    const report = await backup(true);
    expect(report.targets[0]).toMatchObject({
      outcome: 'planned',
      objectName: 'a_20310202.sql.gz',
      // Sunday 2 February: the first good backup of February, were it to succeed tonight.
      retention: { class: 'monthly', keptUntil: '2032-02-01T00:00:00.000Z' },
      kept: [
        {
          objectName: 'a_20310131.sql.gz',
          date: '20310131',
          class: 'yearly',
          keptUntil: '2036-01-01T00:00:00.000Z',
          newest: true,
        },
      ],
    });
    expect(sent.slice(before).filter((request) => request.method !== 'GET')).toEqual([]);
  });
});

describe('the watchdog', () => {
  it('keeps the newest good copy as long as a backup made today while the target fails, and says so', async () => {
    const scripts: Record<string, JobScript> = { a: { states: ['succeeded'], bytes: DUMP } };
    const { fixture, bucket } = await setUp('2031-01-30T02:00:00Z', scripts);
    const night = async (day: string) => {
      fixture.clock.advance(Date.parse(`2031-${day}T02:00:00Z`) - fixture.clock.now().getTime());
      await runBackup(fixture.config, fixture.deps, { databases: ['a'], force: false, dryRun: false });
      fixture.clock.advance(6 * 3_600_000);
      return runVerify(fixture.config, fixture.deps, { databases: ['a'] });
    };
    await night('01-30');
    const daily = await night('01-31');
    expect(daily.targets[0]).toMatchObject({
      outcome: 'verified',
      retention: { class: 'daily', keptUntil: '2031-02-07T00:00:00.000Z' },
    });
    expect(daily.targets[0]?.newestKept).toBeUndefined();
    scripts.a = { states: ['failed'] };
    const failed = await night('02-01');
    expect(failed.targets[0]).toMatchObject({
      outcome: 'failed',
      newestKept: { objectName: 'a_20310131.sql.gz', keptUntil: '2031-02-08T00:00:00.000Z' },
    });
    expect(fixture.logs.find((line) => line.event === 'retention.held')).toMatchObject({
      severity: 'NOTICE',
      object: 'a_20310131.sql.gz',
      keptUntil: '2031-02-08T00:00:00.000Z',
    });
    const [held] = await bucket.file('a_20310131.sql.gz').getMetadata();
    expect(held.metadata).toMatchObject({ retentionClass: 'daily', retentionHold: 'newest' });
  });

  it("reports a newest copy it could not keep as an alerting event, beside the night's own failure", async () => {
    const scripts: Record<string, JobScript> = { a: { states: ['succeeded'], bytes: DUMP } };
    const { fixture } = await setUp('2031-01-30T02:00:00Z', scripts);
    // The 30th is the yearly copy; the 31st, a daily one, is the newest good copy when the 1st fails.
    for (let night = 0; night < 2; night++) {
      await runBackup(fixture.config, fixture.deps, { databases: ['a'], force: false, dryRun: false });
      fixture.clock.advance(86_400_000);
    }
    scripts.a = { states: ['failed'] };
    await runBackup(fixture.config, fixture.deps, { databases: ['a'], force: false, dryRun: false });
    fixture.emulator.faults.add({ method: 'PATCH', status: 403, times: 5 });
    fixture.clock.advance(86_400_000);
    const verify = await runVerify(fixture.config, fixture.deps, { databases: ['a'] });
    expect(verify.targets[0]).toMatchObject({ outcome: 'missing' });
    expect(verify.targets[0]?.newestKept).toBeUndefined();
    expect(fixture.logs.find((line) => line.event === 'retention.hold-failed')).toMatchObject({
      severity: 'ERROR',
      alerting: true,
      errorCode: 'INTERNAL',
    });
  });
});

describe('a metadata write that meets another', () => {
  it('reads the object again and writes against what is there now', async () => {
    const scripts: Record<string, JobScript> = { a: { states: ['succeeded'], bytes: DUMP } };
    const { fixture, bucket, sent } = await setUp('2031-01-31T02:00:00Z', scripts);
    const conflict = fixture.emulator.faults.add({ method: 'PATCH', status: 412 });
    const report = await runBackup(fixture.config, fixture.deps, {
      databases: ['a'],
      force: false,
      dryRun: false,
    });
    expect(report.targets[0]).toMatchObject({ outcome: 'succeeded', retention: { class: 'yearly' } });
    expect(conflict.matched).toBe(2);
    expect(sent.filter((request) => request.method === 'PATCH')).toHaveLength(2);
    const [meta] = await bucket.file('a_20310131.sql.gz').getMetadata();
    expect(meta).toMatchObject({ customTime: '2036-01-01T00:00:00.000Z', metageneration: '2' });
  });
});
