// What a restore trusts, attacked through the real agent, function and emulator, as someone who may create objects
// and write metadata in the bucket would: a future-dated object marked checked (newest for ever), an object wearing a
// real backup's attestation, a backup checked before attestations existed, a drill mark pointing at another job's
// answer, a drill whose agent gives no answer, and an attested dump that asks its restore tool to run a command.
// Each is left out or fails with its code, in an alerting line and, where a run fails, in the admin's mail.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Bucket } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupDate } from '../../../core/object-name.js';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { attest } from '../../../functions/object/attestation.js';
import { getObject } from '../../../functions/storage/objects.js';
import { freePort } from '../../../local/free-port.js';
import { createLocalSigner } from '../../../local/signer.js';
import { startTestAgent, type TestAgent } from '../../helpers/agent.js';
import { type GmailStub, startGmailStub } from '../../helpers/gmail-stub.js';
import { runTool } from '../../helpers/stand-in-tools.js';
import { createBucket, deliveredSince, type FunctionHarness, OAUTH, startFunction } from './harness.js';

const BUCKET = 'planted-objects';
const TODAY = backupDate(new Date());
const YESTERDAY = backupDate(new Date(Date.now() - 86_400_000));
const REAL = `clinic_${TODAY}.sql.gz`;
const FUTURE = 'clinic_20991231.sql.gz';

let emulator: RunningEmulator;
let gmail: GmailStub;
let agent: TestAgent;
let fn: FunctionHarness;
let bucket: Bucket;
let dir: string;
const signer = createLocalSigner();

beforeAll(async () => {
  [emulator, gmail] = await Promise.all([
    startEmulator({ signedUrlKeys: signer.trusted }),
    startGmailStub({ oauth: OAUTH }),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'planted-objects-'));
  await createBucket(emulator.url, BUCKET);
  for (const name of ['clinic', 'shop']) {
    await runTool('sqlite3', [join(dir, `${name}.db`)], {
      input:
        'CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO patients (name) VALUES (1), (2);',
    });
  }
  const sqlite = (name: string) => ({
    id: name,
    engine: 'sqlite' as const,
    database: name,
    path: join(dir, `${name}.db`),
    restore: { scratchDatabases: [`${name}_restore`], scratchDir: join(dir, 'scratch') },
  });
  agent = await startTestAgent({
    targets: [sqlite('clinic'), sqlite('shop')],
    uploads: { origin: emulator.url, buckets: [BUCKET] },
  });
  fn = await startFunction({
    emulator,
    gmail,
    bucket: BUCKET,
    key: agent.key,
    signer,
    targets: ['clinic', 'shop'].map((id) => ({ id, database: id, engine: 'sqlite', agentUrl: agent.url })),
    file: { pollBudgetSeconds: 60 },
  });
  bucket = fn.storage.bucket(BUCKET);
  const { status, report } = await fn.backup();
  expect(status, JSON.stringify(report)).toBe(200);
}, 120_000);

afterAll(async () => {
  await fn?.close();
  await agent?.remove();
  await Promise.all([emulator?.close(), gmail?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** An object written straight into the bucket, as whoever may create objects there can. */
async function plant(name: string, dump: string, metadata: Record<string, string>): Promise<void> {
  await bucket.file(name).save(gzipSync(dump), { resumable: false, metadata: { metadata } });
}

const metadataOf = async (name: string) => (await bucket.file(name).getMetadata())[0].metadata ?? {};

/** The alerting lines that left `name` out, from log line `from` on. */
const unprovenLines = (name: string, from = 0) =>
  fn.logs.slice(from).filter((line) => line.event === 'object.unproven' && line.object === name);

describe('an object planted to look like the newest verified backup', () => {
  it('is never restored, drilled, retained or listed, and each run names it in an alert', async () => {
    await plant(FUTURE, 'CREATE TABLE patients (id INTEGER);\n', { checkedAt: new Date().toISOString() });
    // Wearing the real backup's attestation does not help an object of another name.
    const copied = await metadataOf(REAL);
    await plant(`clinic_${YESTERDAY}.sql.gz`, 'CREATE TABLE patients (id INTEGER);\n', copied as never);

    const from = fn.logs.length;
    const restored = await fn.restore({ database: 'clinic' });
    expect(restored.status, JSON.stringify(restored.report)).toBe(200);
    expect(restored.report.targets[0]).toMatchObject({ outcome: 'restored', objectName: REAL });

    const drilled = await fn.restore({ drill: 'true', databases: 'clinic' });
    expect(drilled.report.targets[0]).toMatchObject({ outcome: 'restored', objectName: REAL });
    expect(await metadataOf(FUTURE)).not.toHaveProperty('drillState');

    const retained = await fn.retention();
    const planned = retained.report.targets.find((target) => target.targetId === 'clinic')?.backups ?? [];
    expect(planned.map((backup) => backup.objectName)).toEqual([REAL]);
    expect((await bucket.file(FUTURE).getMetadata())[0].customTime).toBeUndefined();

    const listed = await fn.list({ database: 'clinic' });
    const clinic = listed.report.targets[0];
    expect(clinic?.backups.map((backup) => backup.objectName)).toEqual([REAL]);
    expect(clinic?.unproven).toEqual([
      expect.objectContaining({ objectName: FUTURE, why: expect.stringContaining('after today') }),
      expect.objectContaining({
        objectName: `clinic_${YESTERDAY}.sql.gz`,
        why: expect.stringContaining('its attestation was not signed'),
      }),
    ]);

    // status: the newest good backup is the real one, and each planted object is a problem of its own.
    const status = await fn.status({ database: 'clinic' });
    expect(status.report.targets[0]?.newestGood).toMatchObject({ objectName: REAL });
    expect(status.report.problems).toEqual(
      [FUTURE, `clinic_${YESTERDAY}.sql.gz`].map((name) =>
        expect.objectContaining({ code: 'OBJECT_UNPROVEN', message: expect.stringContaining(name) }),
      ),
    );

    // restore, drill, retention and list: each names both, as an alerting line with its code.
    for (const name of [FUTURE, `clinic_${YESTERDAY}.sql.gz`]) {
      const lines = unprovenLines(name, from);
      expect(lines.length, name).toBe(4);
      for (const line of lines) expect(line).toMatchObject({ alerting: true, errorCode: 'OBJECT_UNPROVEN' });
    }
    await Promise.all([bucket.file(FUTURE).delete(), bucket.file(`clinic_${YESTERDAY}.sql.gz`).delete()]);
  });
});

describe('a backup checked before attestations existed', () => {
  it('is left out until verify proves it against its agent’s record and attests it', async () => {
    const info = await getObject(bucket, REAL);
    await bucket
      .file(REAL)
      .setMetadata({ metadata: { attestation: null, attestedAt: null, attestedBy: null } });
    const before = await fn.restore({ database: 'clinic' });
    expect(before.report.targets[0]).toMatchObject({ outcome: 'missing', error: { code: 'BACKUP_MISSING' } });
    expect(unprovenLines(REAL).at(-1)).toMatchObject({ alerting: true, errorCode: 'OBJECT_UNPROVEN' });

    const from = fn.logs.length;
    await fn.verify({ databases: 'clinic' });
    expect(fn.logs.slice(from).find((line) => line.event === 'object.attested')).toMatchObject({
      object: REAL,
      generation: info?.generation,
    });
    const after = await fn.restore({ database: 'clinic' });
    expect(after.report.targets[0]).toMatchObject({ outcome: 'restored', objectName: REAL });
  });

  it('stays left out, named every morning, when nothing proves it', async () => {
    const stranger = `clinic_${YESTERDAY}.sql.gz`;
    await plant(stranger, 'CREATE TABLE t (a);\n', {
      checkedAt: new Date().toISOString(),
      jobId: 'no-such-job',
    });
    const from = fn.logs.length;
    await fn.verify({ databases: 'clinic' });
    expect(unprovenLines(stranger, from)).toEqual([
      expect.objectContaining({
        alerting: true,
        errorCode: 'OBJECT_UNPROVEN',
        message: expect.stringMatching(/its agent knows no job/),
      }),
    ]);
    expect(await metadataOf(stranger)).not.toHaveProperty('attestation');
    await bucket.file(stranger).delete();
  });
});

describe('a drill mark planted on a backup', () => {
  it('pointing at another object’s succeeded restore settles the drill failed (JOB_UNKNOWN), alerted', async () => {
    const other = await fn.restore({ database: 'shop' });
    expect(other.report.targets[0]).toMatchObject({ outcome: 'restored' });
    await bucket.file(REAL).setMetadata({
      metadata: {
        drillState: 'running',
        drillJobId: other.report.targets[0]?.jobId ?? null,
        drillSubmittedAt: new Date().toISOString(),
      },
    });
    const sent = gmail.messages.length;
    const { report } = await fn.verify({ databases: 'clinic' });
    expect(report.drills?.targets[0]).toMatchObject({
      targetId: 'clinic',
      outcome: 'failed',
      error: { code: 'JOB_UNKNOWN', message: expect.stringContaining(`not of ${REAL} for clinic`) },
    });
    expect(await metadataOf(REAL)).toMatchObject({ drillState: 'failed' });
    const mails = await deliveredSince(gmail, sent);
    expect(mails.map((mail) => mail.subject)).toContainEqual(
      expect.stringMatching(/^Restore drill failed: clinic/),
    );
  });
});

describe('a drill whose agent gives no answer', () => {
  it('is left running within the job time-out, and failed (AGENT_UNREACHABLE), alerted, once past it', async () => {
    // The same function, its status requests going where nothing answers.
    const cut = await startFunction({
      emulator,
      gmail,
      bucket: BUCKET,
      key: agent.key,
      signer,
      targets: [
        {
          id: 'clinic',
          database: 'clinic',
          engine: 'sqlite',
          agentUrl: `http://127.0.0.1:${await freePort()}`,
        },
      ],
    });
    try {
      const mark = (minutesAgo: number) =>
        bucket.file(REAL).setMetadata({
          metadata: {
            drillState: 'running',
            drillJobId: 'drill-in-the-dark',
            drillSubmittedAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
          },
        });
      await mark(10);
      const early = await cut.verify();
      expect(early.report.drills).toBeUndefined();
      const polled = cut.logs.find((line) => line.event === 'restore.poll-failed');
      expect(polled).toMatchObject({ severity: 'WARNING', jobId: 'drill-in-the-dark' });
      expect(polled).not.toHaveProperty('alerting');
      expect(await metadataOf(REAL)).toMatchObject({ drillState: 'running' });

      await mark(4 * 60);
      const sent = gmail.messages.length;
      const late = await cut.verify();
      expect(late.report.drills?.targets[0]).toMatchObject({
        outcome: 'failed',
        error: {
          code: 'AGENT_UNREACHABLE',
          message: expect.stringMatching(/no readable answer about drill/),
        },
      });
      expect(cut.logs.filter((line) => line.event === 'restore.failed').at(-1)).toMatchObject({
        alerting: true,
        errorCode: 'AGENT_UNREACHABLE',
      });
      expect(await metadataOf(REAL)).toMatchObject({ drillState: 'failed' });
      const mails = await deliveredSince(gmail, sent);
      expect(mails.map((mail) => mail.subject)).toContainEqual(
        expect.stringMatching(/^Restore drill failed: clinic/),
      );
    } finally {
      await cut.close();
    }
  });
});

describe('an attested dump that asks its restore tool to run a command', () => {
  it('is refused (RESTORE_REFUSED), alerted, and the command never runs', async () => {
    const name = `clinic_${YESTERDAY}.sql.gz`;
    const ran = join(dir, 'ran');
    await plant(name, `BEGIN TRANSACTION;\n.system touch ${ran}\nCOMMIT;\n`, {
      checkedAt: new Date().toISOString(),
    });
    // As if a compromised source had produced it: attested by the function itself, its hashes right.
    const info = await getObject(bucket, name);
    if (!info) throw new Error('the planted dump is not there');
    await bucket.file(name).setMetadata({ metadata: attest(BUCKET, info, fn.config.signingKey, new Date()) });
    const sent = gmail.messages.length;
    const { status, report } = await fn.restore({ database: 'clinic', date: YESTERDAY });
    expect(status).toBe(500);
    expect(report.targets[0], JSON.stringify(report.targets[0])).toMatchObject({
      outcome: 'failed',
      error: { code: 'RESTORE_REFUSED' },
    });
    expect(fn.logs.filter((line) => line.event === 'restore.failed').at(-1)).toMatchObject({
      alerting: true,
      errorCode: 'RESTORE_REFUSED',
    });
    const [mail] = await deliveredSince(gmail, sent);
    expect(mail?.text).toContain('error RESTORE_REFUSED');
    await expect(runTool('test', ['-e', ran])).rejects.toThrow();
    await bucket.file(name).delete();
  });
});
