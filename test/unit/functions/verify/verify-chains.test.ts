// verify's judgement of each pointInTime database's chain of binary logs, from signed facts in the bucket: whole and
// recent, or broken (a gap, a log changed after it was shipped, a new server, numbers started over), stale, or
// without a start — each alerted with what to do.
import { afterEach, describe, expect, it } from 'vitest';
import { startRun } from '../../../../functions/run/run-context.js';
import { verifyChains } from '../../../../functions/verify/verify-chains.js';
import { logFile, POINT_IN_TIME_TARGETS, plantedChain } from '../binlog/planted-chain.js';
import { BUCKET, type RunFixture, startRunFixture } from '../run-fixture.js';
import { scriptedAgent } from '../scripted-agent.js';

const NOW = new Date('2026-12-07T12:00:00Z');
const fixtures: RunFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((fixture) => fixture.close()));
});

const file = logFile;

async function setUp(env: Record<string, string> = {}) {
  // The backup is made at 02:00, the logs after it: the fixture's clock then stands at noon.
  const fixture = await startRunFixture(
    scriptedAgent({}),
    { BACKUP_TARGETS: POINT_IN_TIME_TARGETS, ...env },
    {},
    new Date('2026-12-07T02:00:00Z'),
  );
  fixtures.push(fixture);
  const planted = plantedChain(fixture, NOW);
  const verify = async () => {
    fixture.clock.advance(NOW.getTime() - fixture.clock.now().getTime());
    const ctx = { ...startRun(fixture.config, fixture.deps, 'run-1', NOW), deep: false };
    return verifyChains(ctx, fixture.config.targets, '20261207');
  };
  return {
    fixture,
    bucket: fixture.storage.bucket(BUCKET),
    backup: (position?: Record<string, string>) => planted.backup('20261207', position),
    /** A backup of `app`, which is not pointInTime: no chain is judged from it, though it records a position. */
    appBackup: () => planted.backup('20261207', undefined, 'app'),
    shipped: planted.shipped,
    minutesAgo: planted.minutesAgo,
    verify,
  };
}

describe('the chain of a pointInTime database', () => {
  it('is unbroken when the attested logs follow each other from the backup and reach within the target', async () => {
    const { fixture, backup, appBackup, shipped, verify, minutesAgo } = await setUp();
    await backup();
    await appBackup();
    await shipped(2, 600, 20);
    await shipped(3, 20, 10);
    await shipped(4, 10, 5);
    const report = await verify();
    expect(report?.status).toBe('ok');
    expect(report?.targets).toHaveLength(1);
    expect(report?.targets[0]).toMatchObject({
      targetId: 'hospital',
      objectName: 'HospitalDB_20261207.sql.gz',
      outcome: 'unbroken',
      chain: {
        start: { file: file(2), position: 1311, serverId: 7 },
        logs: 3,
        reachesTo: minutesAgo(5),
        lagMinutes: 5,
      },
    });
    expect(fixture.mails).toEqual([]);
  });

  it('is broken by a log never shipped, and the alert says to take a full backup now', async () => {
    const { fixture, backup, shipped, verify } = await setUp();
    await backup();
    await shipped(2, 600, 20);
    await shipped(4, 10, 5);
    const report = await verify();
    expect(report?.targets[0]).toMatchObject({
      outcome: 'broken',
      error: { code: 'BINLOG_GAP' },
      chain: { logs: 1 },
    });
    expect(report?.targets[0]?.error?.message).toContain(`the binary log ${file(3)} was never shipped`);
    expect(fixture.mails).toHaveLength(1);
    expect(fixture.mails[0]?.subject).toBe('Point-in-time recovery at risk: HospitalDB (2026-12-07)');
    expect(fixture.mails[0]?.text).toContain('take a full backup now (db-backup run --force HospitalDB)');
    expect(fixture.events()).toContain('chain.broken');
  });

  it('is broken by a log changed in the bucket after it was shipped: its facts are no longer proven', async () => {
    const { bucket, backup, shipped, verify } = await setUp();
    await backup();
    await shipped(2, 600, 20);
    await shipped(3, 20, 10);
    await shipped(4, 10, 5);
    await bucket.file(`binlog/HospitalDB/7/${file(3)}.gz`).setMetadata({ metadata: { binlogNext: file(9) } });
    const report = await verify();
    expect(report?.targets[0]).toMatchObject({ outcome: 'broken', error: { code: 'BINLOG_GAP' } });
    expect(report?.targets[0]?.error?.message).toContain(
      `binlog/HospitalDB/7/${file(3)}.gz is in the bucket, but its attestation does not hold`,
    );
  });

  it('is broken by logs of a new server identity written after the backup', async () => {
    const { backup, shipped, verify } = await setUp();
    await backup();
    await shipped(2, 600, 20);
    await shipped(1, 15, 5, { serverId: 8 });
    const report = await verify();
    expect(report?.targets[0]).toMatchObject({ outcome: 'broken', error: { code: 'BINLOG_SERVER_CHANGED' } });
    expect(report?.targets[0]?.error?.message).toContain('server id 8');
  });

  it('is stale when it reaches less recently than BACKUP_RPO_MINUTES, and fine under a looser target', async () => {
    for (const [rpo, outcome] of [
      ['15', 'broken'],
      ['60', 'unbroken'],
    ] as const) {
      const { backup, shipped, verify } = await setUp({ BACKUP_RPO_MINUTES: rpo });
      await backup();
      await shipped(2, 600, 30);
      const report = await verify();
      expect(report?.targets[0]?.outcome, rpo).toBe(outcome);
      if (outcome === 'broken') {
        expect(report?.targets[0]?.error).toMatchObject({ code: 'BINLOG_STALE' });
        expect(report?.targets[0]?.error?.message).toContain(
          '30 minutes ago; the recovery-point target is 15 minutes',
        );
      }
    }
  });

  it('is stale when no log after the backup was shipped: the backup itself is the recovery point', async () => {
    const { backup, verify } = await setUp();
    await backup();
    const report = await verify();
    expect(report?.targets[0]).toMatchObject({
      outcome: 'broken',
      error: { code: 'BINLOG_STALE' },
      chain: { logs: 0 },
    });
  });

  it('has no start when the newest backup records no position: binary logging was off at its dump', async () => {
    const { fixture, backup, verify } = await setUp();
    await backup({});
    const report = await verify();
    expect(report?.targets[0]).toMatchObject({ outcome: 'broken', error: { code: 'BINLOG_START_MISSING' } });
    expect(fixture.mails[0]?.text).toContain('start the server with log_bin and binlog_format=ROW');
  });

  it('is not judged before the database has a checked backup, nor for a database not pointInTime', async () => {
    const { verify } = await setUp();
    expect(await verify()).toBeUndefined();
  });
});
