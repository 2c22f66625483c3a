// status's judgement and the records behind it, fast: which day's backup is due, an attempt running past the job
// time-out, a doubtful backup, a drill failure known only from the object's marks, and verify settling only the
// day it checked, never overwriting a later attempt with an older day's outcome; and a record entry someone else
// wrote, or changed, is left out and named — never taken for the function's word.
import { afterEach, describe, expect, it } from 'vitest';
import { parseFunctionConfig } from '../../../../functions/config/parse.js';
import type { RunReport } from '../../../../functions/run/report.js';
import { judgeTarget } from '../../../../functions/status/judge-target.js';
import { recordReport } from '../../../../functions/status/record-report.js';
import { runStatus } from '../../../../functions/status/run-status.js';
import type { RecordEntry } from '../../../../functions/status/status-record.js';
import { readRecord, recordKeys } from '../../../../functions/status/status-record.js';
import type { ObjectInfo } from '../../../../functions/storage/objects.js';
import type { TargetBackup } from '../../../../functions/storage/target-backups.js';
import { validEnv } from '../config-env.js';
import { BUCKET, type RunFixture, startRunFixture } from '../run-fixture.js';
import { scriptedAgent } from '../scripted-agent.js';

// Drills and deep checks yearly, so that only the tests that ask about them find them overdue.
const config = parseFunctionConfig(
  validEnv({
    BACKUP_SCHEDULE: '0 2 * * *',
    BACKUP_DRILL_SCHEDULE: '0 8 1 1 *',
    BACKUP_DEEP_CHECK_SCHEDULE: '0 7 1 1 *',
  }),
);
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

describe('a drill or deep check its schedule did not make', () => {
  // Sundays 08:00 and Saturdays 07:00, as Terraform's defaults.
  const weekly = parseFunctionConfig(validEnv({ BACKUP_SCHEDULE: '0 2 * * *' }));
  const problems = (now: string, backups: TargetBackup[], record = {}) =>
    judgeTarget(weekly, target, backups, record, new Date(now)).problems;
  const daily = ['20250307', '20250308', '20250309', '20250310'].map((date) => backup(date)).reverse();
  const entry = (at: string): RecordEntry => ({ at, runId: 'r', outcome: 'passed', by: 'restore' });

  it('is overdue once the schedule ran an hour ago with a backup to read, and not before', () => {
    // Sunday 08:59: the drill has had less than its hour; Saturday's deep check has not.
    expect(problems('2025-03-09T08:59:00Z', daily.slice(1)).map((p) => p.code)).toEqual([
      'DEEP_CHECK_OVERDUE',
    ]);
    const monday = problems('2025-03-10T06:00:00Z', daily);
    expect(monday.map((p) => p.code)).toEqual(['DRILL_OVERDUE', 'DEEP_CHECK_OVERDUE']);
    expect(monday[0]?.message).toMatch(
      /^no drill since ever, though its schedule \(0 8 \* \* 0, UTC\) ran at 2025-03-09T08:00:00.000Z: .*db-backup restore --drill$/,
    );
  });

  it("is met by the run's own entries, and not by an earlier week's put back", () => {
    const met = { drill: entry('2025-03-09T08:20:00Z'), deepCheck: entry('2025-03-08T07:30:00Z') };
    expect(problems('2025-03-10T06:00:00Z', daily, met)).toEqual([]);
    const lastWeek = { drill: entry('2025-03-02T08:20:00Z'), deepCheck: entry('2025-03-08T07:30:00Z') };
    expect(problems('2025-03-10T06:00:00Z', daily, lastWeek)[0]?.message).toMatch(
      /^no drill since 2025-03-02T08:20:00Z/,
    );
  });

  it('is not due where no good backup was there before the run', () => {
    expect(problems('2025-03-10T06:00:00Z', [backup('20250310')])).toEqual([]);
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
    const read = async () => (await readRecord(bucket, '', 'a', recordKeys(cfg).trusted)).record;
    expect((await read()).backup).toMatchObject({ outcome: 'settled', by: 'verify' });
    await recordReport(cfg, deps, report('verify', '20250309', 'missing'));
    expect((await read()).backup).toMatchObject({
      outcome: 'settled',
      date: '20250310',
    });
  });
});

describe('a status record someone else wrote', () => {
  let fixture: RunFixture | undefined;
  afterEach(() => fixture?.close());

  const drill = (outcome: string): RunReport =>
    ({
      kind: 'restore',
      drill: true,
      runId: `drill-${outcome}`,
      date: '20250310',
      startedAt: '2025-03-10T08:00:00.000Z',
      finishedAt: '2025-03-10T08:00:01.000Z',
      status: outcome === 'failed' ? 'failed' : 'ok',
      counts: {},
      targets: [
        {
          targetId: 'a',
          database: 'a',
          engine: 'postgres',
          objectName: 'a_20250310',
          outcome,
          ...(outcome === 'failed' && { error: { code: 'VALIDATION_FAILED', message: 'no patient' } }),
        },
      ],
    }) as RunReport;

  const problemsOfA = async (f: RunFixture) =>
    (await runStatus(f.config, f.deps, { databases: ['a'] })).problems.map((p) => p.code);

  it("turns a failed drill into a passed one only by the function's own key", async () => {
    fixture = await startRunFixture(scriptedAgent({}));
    const { config: cfg, deps } = fixture;
    await recordReport(cfg, deps, drill('failed'));
    expect(await problemsOfA(fixture)).toContain('LAST_DRILL_FAILED');
    // Whoever may write metadata rewrites the entry to a pass, keeping the seal of the failure beside it.
    const record = fixture.storage.bucket(BUCKET).file('_status/a');
    const [meta] = await record.getMetadata();
    const forged = { ...JSON.parse(String(meta.metadata?.drill)), outcome: 'passed', error: undefined };
    await record.setMetadata({ metadata: { drill: JSON.stringify(forged) } });
    const status = await runStatus(cfg, deps, { databases: ['a'] });
    expect(status.problems.map((p) => p.code)).toEqual(expect.arrayContaining(['RECORD_UNPROVEN']));
    expect(status.problems.find((p) => p.code === 'RECORD_UNPROVEN')?.message).toMatch(
      /last drill was changed after the function signed it/,
    );
    expect(status.targets[0]?.lastDrill?.outcome).not.toBe('passed');
    // The entry without any seal, as written before records were signed, is left out and named too.
    await record.setMetadata({ metadata: { drillSeal: null } });
    const unsealed = await runStatus(cfg, deps, { databases: ['a'] });
    expect(unsealed.problems.find((p) => p.code === 'RECORD_UNPROVEN')?.message).toMatch(
      /last drill carries no signature of the function/,
    );
    // The function's next drill replaces it with its own signed word.
    await recordReport(cfg, deps, drill('passed'));
    const after = await runStatus(cfg, deps, { databases: ['a'] });
    expect(after.problems.map((p) => p.code)).not.toContain('RECORD_UNPROVEN');
    expect(after.targets[0]?.lastDrill?.outcome).toBe('passed');
  });

  it("lets no planted entry dated later hold verify's word off", async () => {
    fixture = await startRunFixture(scriptedAgent({}));
    const { config: cfg, deps } = fixture;
    const report = (kind: RunReport['kind'], outcome: string): RunReport =>
      ({ ...drill(outcome), kind, drill: undefined, runId: `${kind}-1` }) as RunReport;
    await recordReport(cfg, deps, report('backup', 'running'));
    const record = fixture.storage.bucket(BUCKET).file('_status/a');
    const planted = {
      at: '2099-01-01T00:00:00Z',
      runId: 'x',
      outcome: 'succeeded',
      by: 'backup',
      date: '20991231',
    };
    await record.setMetadata({ metadata: { backup: JSON.stringify(planted) } });
    await recordReport(cfg, deps, report('verify', 'failed'));
    const { record: read } = await readRecord(
      fixture.storage.bucket(BUCKET),
      '',
      'a',
      recordKeys(cfg).trusted,
    );
    expect(read.backup).toMatchObject({ outcome: 'failed', by: 'verify', date: '20250310' });
    expect(await problemsOfA(fixture)).toContain('LAST_BACKUP_FAILED');
  });
});
