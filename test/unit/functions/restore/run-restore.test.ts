// A restore run's decisions, fast: which backup it reads and what it hands the agent, how each end is reported and
// alerted, what a drill records on the objects, a drill left running settled by the next run, and a retry attaching.
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckReport, RestoreStatus, TableReport } from '../../../../core/restore-protocol.js';
import { runRestore } from '../../../../functions/restore/run-restore.js';
import { attestObject, BUCKET, type RunFixture, startRunFixture } from '../run-fixture.js';
import { hashesOf, type RestoreScript, scriptedAgent } from '../scripted-agent.js';

const fixtures: RunFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((fixture) => fixture.close()));
});

async function setUp(restoreScripts: Record<string, RestoreScript> = {}) {
  const agent = scriptedAgent({}, restoreScripts);
  const fixture = await startRunFixture(agent);
  fixtures.push(fixture);
  return { agent, fixture };
}

/**
 * A backup in the bucket, verified and attested (as a run records it once checked) unless said otherwise; one whose
 * metadata says it failed its check is not attested.
 */
async function put(fixture: RunFixture, name: string, metadata: Record<string, string> = { checkedAt: 'x' }) {
  const bytes = Buffer.from(`-- ${name}\n`.repeat(50));
  await fixture.storage.bucket(BUCKET).file(name).save(bytes, { resumable: false, metadata: { metadata } });
  if (metadata.checkedAt && !metadata.checkFailed) await attestObject(fixture, name);
  const [meta] = await fixture.storage.bucket(BUCKET).file(name).getMetadata();
  return { bytes, generation: String(meta.generation) };
}

const metadataOf = async (fixture: RunFixture, name: string) =>
  (await fixture.storage.bucket(BUCKET).file(name).getMetadata())[0].metadata ?? {};

const table: TableReport = { name: 'patients', rows: 300 };
const failedCheck: CheckReport = { name: 'patients on record', ok: false, value: '0', expected: '>= 1' };

describe('an on-demand restore', () => {
  it('reads the newest verified backup through a signed URL of its generation, and reports what was restored', async () => {
    const { agent, fixture } = await setUp({
      a: { states: ['running', 'succeeded'], end: { tables: [table], durationMs: 4200 } },
    });
    const chosen = await put(fixture, 'a_20261127.sql.gz');
    await put(fixture, 'a_20261128.sql.gz', { checkedAt: 'x', checkFailed: 'crc32c differs' });
    await put(fixture, 'a_20261129.sql.gz', {});
    const report = await runRestore(fixture.config, fixture.deps, {
      databases: ['a'],
      keep: false,
      drill: false,
    });

    expect(report).toMatchObject({ kind: 'restore', status: 'ok', counts: { restored: 1 } });
    expect(report.targets[0]).toMatchObject({
      targetId: 'a',
      outcome: 'restored',
      objectName: 'a_20261127.sql.gz',
      restore: { tables: [table], durationMs: 4200, scratch: 'dropped' },
    });
    const [request] = agent.restores;
    const { crc32c, md5 } = hashesOf(chosen.bytes);
    expect(request).toMatchObject({
      targetId: 'a',
      objectName: 'a_20261127.sql.gz',
      expected: { size: chosen.bytes.length, crc32c, md5 },
    });
    const url = new URL(request?.downloadUrl ?? '');
    expect(url.pathname).toBe(`/${BUCKET}/a_20261127.sql.gz`);
    expect(url.searchParams.get('generation')).toBe(chosen.generation);
    // A week: it outlives the longest restore, however long it waits behind others on its agent.
    expect(url.searchParams.get('X-Goog-Expires')).toBe(String(7 * 24 * 3600));
    expect(fixture.mails).toEqual([]);
    expect(fixture.events()).toContain('restore.restored');
  });

  it('reports a date that has no verified backup as missing, and alerts', async () => {
    const { agent, fixture } = await setUp();
    await put(fixture, 'a_20261129.sql.gz', {});
    const report = await runRestore(fixture.config, fixture.deps, {
      databases: ['a'],
      date: '20261129',
      keep: false,
      drill: false,
    });
    expect(report.targets[0]).toMatchObject({ outcome: 'missing', error: { code: 'BACKUP_MISSING' } });
    expect(report.targets[0]?.error?.message).toContain('never verified');
    expect(agent.restores).toEqual([]);
    expect(fixture.mails[0]?.subject).toMatch(/^Restore failed: a \(/);
  });

  it('reports a failed validation with its checks, and alerts with them', async () => {
    const end: Partial<RestoreStatus> = {
      errorCode: 'VALIDATION_FAILED',
      errorMessage: 'check "patients on record" gave 0, not >= 1',
      checks: [failedCheck],
      stderrTail: ['mysql: warning'],
    };
    const { fixture } = await setUp({ a: { states: ['failed'], end } });
    await put(fixture, 'a_20261127.sql.gz');
    const report = await runRestore(fixture.config, fixture.deps, {
      databases: ['a'],
      keep: false,
      drill: false,
    });
    expect(report.status).toBe('failed');
    expect(report.targets[0]).toMatchObject({
      outcome: 'failed',
      error: { code: 'VALIDATION_FAILED', stderrTail: ['mysql: warning'] },
    });
    const failed = fixture.logs.find((line) => line.event === 'restore.failed');
    expect(failed).toMatchObject({
      alerting: true,
      checksFailed: ['patients on record'],
      errorCode: 'VALIDATION_FAILED',
    });
    expect(fixture.mails[0]?.text).toContain('check "patients on record": gave 0, must be >= 1');
    // About the backup it read, not the day it ran.
    expect(report.date).toBe('20261127');
    expect(fixture.mails[0]?.subject).toBe('Restore failed: a (2026-11-27)');
  });

  it('refuses a date no backup has, naming the restorable ones, and alerts nothing', async () => {
    const { agent, fixture } = await setUp();
    await put(fixture, 'a_20261127.sql.gz');
    await put(fixture, 'a_20261129.sql.gz', {});
    const restore = runRestore(fixture.config, fixture.deps, {
      databases: ['a'],
      date: '20261128',
      keep: false,
      drill: false,
    });
    await expect(restore).rejects.toMatchObject({
      code: 'DATE_WITHOUT_BACKUP',
      message: 'a has no backup dated 2026-11-28; its restorable backups are of: 2026-11-27',
    });
    expect(agent.restores).toEqual([]);
    expect(fixture.mails).toEqual([]);
  });
});

describe('the drill', () => {
  it('restores the newest verified backup of every target, records each end on its object, and alerts what failed', async () => {
    const { fixture } = await setUp({
      a: { states: ['succeeded'], end: { durationMs: 1234 } },
      b: {
        states: ['failed'],
        end: { errorCode: 'RESTORE_FAILED', errorMessage: 'mysql exited with code 1' },
      },
    });
    await put(fixture, 'a_20261127.sql.gz');
    await put(fixture, 'b_20261127.sql.gz');
    const report = await runRestore(fixture.config, fixture.deps, { keep: false, drill: true });
    expect(report).toMatchObject({
      drill: true,
      status: 'failed',
      counts: { restored: 1, failed: 1, missing: 1 },
    });
    expect(await metadataOf(fixture, 'a_20261127.sql.gz')).toMatchObject({
      drillState: 'passed',
      drillRecoveryMs: '1234',
    });
    expect((await metadataOf(fixture, 'a_20261127.sql.gz')).drilledAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(await metadataOf(fixture, 'b_20261127.sql.gz')).toMatchObject({
      drillState: 'failed',
      drillFailed: 'RESTORE_FAILED: mysql exited with code 1',
    });
    expect(fixture.mails).toHaveLength(1);
    expect(fixture.mails[0]?.subject).toMatch(/^Restore drill failed: b, c \(/);
  });

  it('leaves a drill still running at the end of the budget to the next run, which records and reports its end', async () => {
    // Read once per poll: 5 s apart within a 60 s budget, so the 13th read is the next run's.
    const states: RestoreStatus['state'][] = [...Array(12).fill('running'), 'succeeded'];
    const { agent, fixture } = await setUp({ a: { states } });
    await put(fixture, 'a_20261127.sql.gz');
    const first = await runRestore(fixture.config, fixture.deps, {
      databases: ['a'],
      keep: false,
      drill: true,
    });
    expect(first.targets[0]).toMatchObject({ outcome: 'running' });
    expect(first.status).toBe('ok');
    expect(fixture.mails).toEqual([]);
    const jobId = first.targets[0]?.jobId;
    expect(await metadataOf(fixture, 'a_20261127.sql.gz')).toMatchObject({
      drillState: 'running',
      drillJobId: jobId,
    });

    const second = await runRestore(fixture.config, fixture.deps, {
      databases: ['a'],
      keep: false,
      drill: true,
    });
    expect(second.targets[0]).toMatchObject({ outcome: 'restored', jobId });
    expect(second.targets[0]?.note).toContain('a drill of an earlier run');
    expect(agent.restores).toHaveLength(2);
    expect((await metadataOf(fixture, 'a_20261127.sql.gz')).drillState).toBe('running');
  });

  it('attaches to the agent’s restore of the same object instead of failing (a retry of the schedule)', async () => {
    const { agent, fixture } = await setUp({ a: { states: ['running', 'running', 'succeeded'] } });
    await put(fixture, 'a_20261127.sql.gz');
    const config = { ...fixture.config, pollBudgetSeconds: 5 };
    const first = await runRestore(config, fixture.deps, { databases: ['a'], keep: false, drill: false });
    expect(first.targets[0]?.outcome).toBe('running');
    const retry = await runRestore(fixture.config, fixture.deps, {
      databases: ['a'],
      keep: false,
      drill: false,
    });
    expect(retry.targets[0]).toMatchObject({ outcome: 'restored', jobId: first.targets[0]?.jobId });
    expect(agent.restores).toHaveLength(1);
    expect(fixture.events()).toContain('restore.attached');
  });
});
