// status' recovery point of a pointInTime database: how far its shipped logs reach from its newest checked backup,
// against BACKUP_RPO_MINUTES, and the chain's problem when it has one; nothing of the kind for other databases.
import { afterEach, describe, expect, it } from 'vitest';
import { runStatus } from '../../../../functions/status/run-status.js';
import { logFile, POINT_IN_TIME_TARGETS, plantedChain } from '../binlog/planted-chain.js';
import { type RunFixture, startRunFixture } from '../run-fixture.js';
import { scriptedAgent } from '../scripted-agent.js';

const NOW = new Date('2026-12-07T12:00:00Z');
const fixtures: RunFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((fixture) => fixture.close()));
});

async function setUp() {
  const fixture = await startRunFixture(
    scriptedAgent({}),
    { BACKUP_TARGETS: POINT_IN_TIME_TARGETS, BACKUP_RPO_MINUTES: '15' },
    {},
    new Date('2026-12-07T02:00:00Z'),
  );
  fixtures.push(fixture);
  const planted = plantedChain(fixture, NOW);
  await planted.backup('20261207');
  // Of a database not pointInTime: its position is recorded all the same, and no chain is judged from it.
  await planted.backup('20261207', undefined, 'app');
  const status = async () => {
    fixture.clock.advance(NOW.getTime() - fixture.clock.now().getTime());
    return runStatus(fixture.config, fixture.deps, {});
  };
  return { ...planted, status };
}

describe('the recovery point in status', () => {
  it('is how long ago the chain of shipped logs reaches, with the log it ends in', async () => {
    const { shipped, status, minutesAgo } = await setUp();
    await shipped(2, 600, 12);
    await shipped(3, 12, 7);
    const report = await status();
    const [hospital, app] = report.targets;
    expect(hospital?.recoveryPoint).toEqual({
      reachesTo: minutesAgo(7),
      lagMinutes: 7,
      targetMinutes: 15,
      backup: 'HospitalDB_20261207.sql.gz',
      chainEnd: logFile(3),
    });
    expect(hospital?.problems.map((p) => p.code)).not.toContain('BINLOG_STALE');
    expect(app?.recoveryPoint).toBeUndefined();
  });

  it('is a problem when it exceeds the target', async () => {
    const { shipped, status } = await setUp();
    await shipped(2, 600, 40);
    const report = await status();
    expect(report.targets[0]?.recoveryPoint?.lagMinutes).toBe(40);
    expect(report.problems).toContainEqual(
      expect.objectContaining({ targetId: 'hospital', code: 'BINLOG_STALE' }),
    );
  });
});
