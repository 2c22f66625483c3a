// The encryption stage of the backup pipeline, with the real age: a zstd backup encrypted for two recipients opens
// with either identity and the stock tools (age -d | zstd -d), its hashes are those of the encrypted bytes stored,
// and an age that fails (a recipient it cannot parse) fails the backup ENCRYPT_FAILED with nothing stored.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '../../helpers/stand-in-tools.js';
import { backup, startStorage, type TestStorage } from './storage.js';

let dir: string;
let storage: TestStorage;
const keys: string[] = [];
const recipients: string[] = [];
const target = () => ({
  id: 'clinic',
  engine: 'sqlite' as const,
  database: 'clinic',
  path: join(dir, 'clinic.db'),
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'encryption-pipeline-'));
  storage = await startStorage();
  for (const who of ['agent', 'admin']) {
    const key = join(dir, `${who}.key`);
    await runTool('age-keygen', ['-o', key]);
    keys.push(key);
    recipients.push((await runTool('age-keygen', ['-y', key])).trim());
  }
  await runTool('sqlite3', [join(dir, 'clinic.db')], {
    input:
      'CREATE TABLE t (a TEXT); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) INSERT INTO t SELECT hex(randomblob(32)) FROM n;',
  });
});

afterAll(async () => {
  await storage?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('an encrypted backup', () => {
  it('is age’s format, opens with either recipient’s identity and the stock tools, and is hashed as stored', async () => {
    const request = {
      ...(await storage.request('clinic_20261207.sql.zst.age', { algorithm: 'zstd' })),
      encrypted: true,
    };
    const outcome = await backup({
      request,
      target: target(),
      encryption: { encryption: 'required', recipients },
    });
    expect(outcome, JSON.stringify(outcome)).toMatchObject({
      ok: true,
      exitCodes: { compress: 0, encrypt: 0 },
    });
    expect(outcome.recipients).toHaveLength(2);
    const stored = await storage.download(request.objectName);
    expect(stored.subarray(0, 21).toString()).toBe('age-encryption.org/v1');
    expect(outcome.bytesUploaded).toBe(stored.length);
    expect(outcome.sha256).toBe(createHash('sha256').update(stored).digest('hex'));
    const dump = await runTool('sqlite3', [join(dir, 'clinic.db'), '.dump']);
    for (const key of keys) {
      const age = spawnSync('age', ['-d', '-i', key], { input: stored });
      expect(age.status, age.stderr.toString()).toBe(0);
      const zstd = spawnSync('zstd', ['-d', '-c'], { input: age.stdout });
      expect(zstd.stdout.toString()).toBe(dump);
    }
    expect(outcome.bytesRead).toBe(Buffer.byteLength(dump));
  });

  it('fails ENCRYPT_FAILED, with age’s words and nothing stored, when age refuses a recipient', async () => {
    const request = { ...(await storage.request('clinic_20261208.sql.gz.age')), encrypted: true };
    // The shape of a recipient, without its checksum: what a placeholder copied from an example looks like.
    const placeholder = `age1${'q'.repeat(58)}`;
    const outcome = await backup({
      request,
      target: target(),
      encryption: { encryption: 'required', recipients: [placeholder] },
    });
    expect(outcome).toMatchObject({ ok: false, errorCode: 'ENCRYPT_FAILED' });
    expect(outcome.errorMessage).toMatch(/^age exited with code 1/);
    expect(outcome.stderrTail.join('\n')).toMatch(/age: .*malformed recipient/);
    expect(await storage.exists(request.objectName)).toBe(false);
  });
});
