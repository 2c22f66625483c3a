// verify?deep=true reads every byte of the stored object: eight bytes overwritten on the emulator's disk pass the
// metadata checks but fail the deep check, which records it on the object, alerts telling the admin to take a
// fresh backup, and from then on list shows the backup as not good and restore does not choose it.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { ensureDemoDatabase } from '../../../local/demo-database.js';
import { startTestAgent, type TestAgent } from '../../helpers/agent.js';
import { type GmailStub, startGmailStub } from '../../helpers/gmail-stub.js';
import {
  createBucket,
  deliveredSince,
  type FunctionHarness,
  OAUTH,
  outcomes,
  startFunction,
} from './harness.js';

const BUCKET = 'fn-deep';

/** Overwrites eight bytes in the middle of the file the emulator keeps `bytes` in, leaving its size. */
async function corruptOnDisk(storageDir: string, bytes: Buffer): Promise<void> {
  const dir = join(storageDir, 'objects');
  for (const name of await readdir(dir)) {
    const content = await readFile(join(dir, name));
    if (!content.equals(bytes)) continue;
    const at = Math.floor(content.length / 2);
    for (let i = at; i < at + 8; i++) content[i] = (content[i] as number) ^ 0xff;
    await writeFile(join(dir, name), content);
    return;
  }
  throw new Error('the object was not found on the emulator’s disk');
}

describe('the deep check', () => {
  let dir: string;
  let emulator: RunningEmulator;
  let gmail: GmailStub;
  let agent: TestAgent;
  let harness: FunctionHarness;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'deep-check-'));
    [emulator, gmail] = await Promise.all([
      startEmulator({ dataDir: join(dir, 'storage') }),
      startGmailStub({ oauth: OAUTH }),
    ]);
    await createBucket(emulator.url, BUCKET);
    await ensureDemoDatabase(join(dir, 'app.sqlite'));
    agent = await startTestAgent({
      targets: [{ id: 'app', engine: 'sqlite', database: 'app', path: join(dir, 'app.sqlite') }],
      uploads: { origin: emulator.url, buckets: [BUCKET] },
    });
    harness = await startFunction({
      emulator,
      gmail,
      bucket: BUCKET,
      key: agent.key,
      targets: [{ id: 'app', database: 'app', engine: 'sqlite', agentUrl: agent.url }],
    });
  }, 60_000);
  afterAll(async () => {
    await harness?.close();
    await Promise.all([agent?.remove(), emulator?.close(), gmail?.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('passes a whole object, finds eight bytes changed on disk, and keeps the bad copy from being restored', async () => {
    const backup = await harness.backup();
    expect(outcomes(backup.report)).toEqual({ app: 'succeeded' });
    const name = backup.report.targets[0]?.objectName as string;
    const file = harness.storage.bucket(BUCKET).file(name);

    const whole = await harness.verify({ deep: 'true' });
    expect(whole.status).toBe(200);
    expect(whole.report).toMatchObject({ deep: true, status: 'ok' });
    const [bytes] = await file.download();
    expect(whole.report.targets[0]).toMatchObject({
      outcome: 'verified',
      deepCheck: { passed: true, bytes: bytes.length },
    });
    expect((await file.getMetadata())[0].metadata?.deepCheckedAt).toBe(
      whole.report.targets[0]?.deepCheck?.checkedAt,
    );

    await corruptOnDisk(join(dir, 'storage'), bytes);
    // What the metadata says is unchanged: only reading the bytes tells.
    expect((await harness.verify()).report.targets[0]?.outcome).toBe('verified');

    const sent = gmail.messages.length;
    const deep = await harness.verify({ deep: 'true' });
    expect(deep.status).toBe(500);
    const [target] = deep.report.targets;
    expect(target).toMatchObject({
      outcome: 'failed',
      error: { code: 'DEEP_CHECK_FAILED' },
      deepCheck: { passed: false },
    });
    expect(target?.error?.message).toContain("the bytes' crc32c is");
    expect(target?.error?.message).toContain('take a fresh backup with db-backup run --force app');
    const [mail] = await deliveredSince(gmail, sent);
    expect(mail?.subject).toContain('Backup check failed: app');
    expect(mail?.text).toContain('DEEP_CHECK_FAILED');
    expect(mail?.text).toContain('db-backup run --force app');
    expect((await file.getMetadata())[0].metadata?.deepCheckFailed).toContain('crc32c');

    // From now on every reader knows the copy is bad.
    const listed = await harness.list();
    expect(listed.report.targets[0]?.backups[0]).toMatchObject({
      good: false,
      deepCheckFailed: expect.stringContaining('crc32c'),
    });
    const status = (await harness.status()).report;
    expect(status.problems.map((p) => p.code)).toEqual(['BACKUP_MISSING', 'DEEP_CHECK_FAILED']);
    expect(status.problems[1]?.message).toContain('take a fresh backup with db-backup run --force app');
    expect(status.targets[0]?.lastDeepCheck).toMatchObject({ outcome: 'failed', objectName: name });
    const verified = await harness.verify();
    expect(verified.report.targets[0]).toMatchObject({
      outcome: 'failed',
      error: { code: 'DEEP_CHECK_FAILED' },
    });
    const restore = await harness.restore({ database: 'app' });
    expect(restore.report.targets[0]).toMatchObject({
      outcome: 'missing',
      error: { code: 'BACKUP_MISSING' },
    });
    const rerun = await harness.backup();
    expect(rerun.report.targets[0]).toMatchObject({
      outcome: 'failed',
      error: { code: 'DEEP_CHECK_FAILED' },
    });

    // The admin does as told: a fresh generation, good again.
    const forced = await harness.backup({ force: 'true' });
    expect(outcomes(forced.report)).toEqual({ app: 'succeeded' });
    expect((await harness.list()).report.targets[0]?.backups[0]).toMatchObject({ good: true });
    expect((await harness.verify({ deep: 'true' })).report.targets[0]).toMatchObject({
      outcome: 'verified',
      deepCheck: { passed: true },
    });
    const healthy = (await harness.status()).report;
    // Only the restore refused above remains, until a restore passes.
    expect(healthy.problems.map((p) => p.code)).toEqual(['LAST_RESTORE_FAILED']);
    expect(healthy.targets[0]?.lastDeepCheck).toMatchObject({ outcome: 'passed' });
  }, 120_000);
});
