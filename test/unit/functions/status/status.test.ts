// status's judgement and the records behind it, fast: which day's backup is due, an attempt running past the job
// time-out, a doubtful backup, a drill failure known only from the object's marks, and verify settling only the
// day it checked, never overwriting a later attempt with an older day's outcome.
import { afterEach, describe, expect, it } from 'vitest';
import { parseFunctionConfig } from '../../../../functions/config/parse.js';
import type { RunReport } from '../../../../functions/run/report.js';
import { judgeTarget } from '../../../../functions/status/judge-target.js';
import { recordReport } from '../../../../functions/status/record-report.js';
import type { RecordEntry } from '../../../../functions/status/status-record.js';
import { readRecord } from '../../../../functions/status/status-record.js';
import type { ObjectInfo } from '../../../../functions/storage/objects.js';
import type { TargetBackup } from '../../../../functions/storage/target-backups.js';
import { validEnv } from '../config-env.js';
import { BUCKET, type RunFixture, startRunFixture } from '../run-fixture.js';
import { scriptedAgent } from '../scripted-agent.js';

const config = parseFunctionConfig(validEnv({ BACKUP_SCHEDULE: '0 2 * * *' }));
const target = config.targets[0] as (typeof config.targets)[number];

function backup(date: string, metadata: Record<string, string> = {}): TargetBackup {
  const info: ObjectInfo = {
    name: `HospitalDB_${date}.sql.gz`,
    generation: '1',
    metageneration: '1',
    size: 10,
    timeCreated: `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)}T02:10:00.000Z`,
    metadata: { checkedAt: 'x', ...metadata },
  };
  return { info, date };
}

const attempt = (outcome: string, at: string): RecordEntry => ({ at, runId: 'r', outcome, by: 'backup' });
const codes = (now: string, backups: TargetBackup[], record = {}) =>
  judgeTarget(config, target, backups, record, new Date(now)).problems.map((p) => p.code);

describe('judgeTarget', () => {
  it("expects the day's backup only once the schedule's run has had its job time to finish", () => {
    const yesterday = [backup('20250309')];
    expect(codes('2025-03-10T04:59:00Z', yesterday)).toEqual([]);
    expect(codes('2025-03-10T05:01:00Z', yesterday)).toEqual(['BACKUP_OVERDUE']);
    expect(codes('2025-03-10T05:01:00Z', [])).toEqual(['BACKUP_MISSING']);
  });

  it('reports an attempt running past the job time-out, and a backup kept but doubtful', () => {
    const today = [backup('20250310')];
    const running = { backup: attempt('running', '2025-03-10T02:00:00Z') };
    expect(codes('2025-03-10T04:00:00Z', today, running)).toEqual([]);
    expect(codes('2025-03-10T05:30:00Z', today, running)).toEqual(['LAST_BACKUP_FAILED']);
    const doubtful = { backup: attempt('warning', '2025-03-10T02:30:00Z') };
    expect(codes('2025-03-10T06:00:00Z', today, doubtful)).toEqual(['LAST_BACKUP_FAILED']);
  });

  it('holds an attempt still running to the deadline its agent gave it, recorded with it', () => {
    const today = [backup('20250310')];
    const long = {
      backup: { ...attempt('running', '2025-03-10T02:00:00Z'), deadline: '2025-03-10T12:00:00Z' },
    };
    expect(codes('2025-03-10T11:59:00Z', today, long)).toEqual([]);
    expect(codes('2025-03-10T12:01:00Z', today, long)).toEqual(['LAST_BACKUP_FAILED']);
  });

  it('finds a failed drill and a bad newest copy on the objects when no record says so', () => {
    const drilled = [backup('20250310', { drillState: 'failed', drillFailed: 'RESTORE_FAILED: no' })];
    expect(codes('2025-03-10T06:00:00Z', drilled)).toEqual(['LAST_DRILL_FAILED']);
    const bad = [backup('20250310', { deepCheckFailed: 'crc32c differs' }), backup('20250309')];
    expect(codes('2025-03-10T06:00:00Z', bad)).toEqual(['BACKUP_OVERDUE', 'DEEP_CHECK_FAILED']);
  });
});

describe('recordReport', () => {
  let fixture: RunFixture | undefined;
  afterEach(() => fixture?.close());

  const report = (kind: RunReport['kind'], date: string, outcome: string): RunReport =>
    ({
      kind,
      runId: `${kind}-${date}`,
      date,
      startedAt: '2025-03-10T06:00:00.000Z',
      finishedAt: '2025-03-10T06:00:01.000Z',
      status: 'ok',
      counts: {},
      targets: [{ targetId: 'a', database: 'a', engine: 'postgres', objectName: `a_${date}`, outcome }],
    }) as RunReport;

  it("lets verify settle the day it checked, but not put an older day's outcome over a later attempt", async () => {
    fixture = await startRunFixture(scriptedAgent({}));
    const { config: cfg, deps } = fixture;
    await recordReport(cfg, deps, report('backup', '20250310', 'running'));
    await recordReport(cfg, deps, report('verify', '20250310', 'settled'));
    const bucket = fixture.storage.bucket(BUCKET);
    expect((await readRecord(bucket, '', 'a')).backup).toMatchObject({ outcome: 'settled', by: 'verify' });
    await recordReport(cfg, deps, report('verify', '20250309', 'missing'));
    expect((await readRecord(bucket, '', 'a')).backup).toMatchObject({
      outcome: 'settled',
      date: '20250310',
    });
  });
});
