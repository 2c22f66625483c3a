// A restore of an age-encrypted backup through the agent's own stream, with the real age and sqlite3: the agent's
// identity opens it; a byte changed, an object cut short and an identity that is not a recipient each fail with their
// own code, with sqlite3 killed before it read the dump's COMMIT — nothing restored. The hashes given are those of the
// altered bytes, as a tamperer able to rewrite them would make them: what remains to catch them is age's own
// authentication. With the backup's true hashes, the hash check speaks first, as for any backup.

import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreEngineFor, restoreStepsFor, targetConfigSchema } from '../../../agent/engines/index.js';
import { createRedactor } from '../../../agent/log/redact.js';
import { DEFAULT_RETRY_POLICY } from '../../../agent/pipeline/retrying.js';
import { streamRestore } from '../../../agent/restore/stream-restore.js';
import { runTool } from '../../helpers/stand-in-tools.js';
import { hashesOf } from '../../unit/functions/scripted-agent.js';
import { startStorage, type TestStorage } from '../agent-pipeline/storage.js';

let storage: TestStorage;
let dir: string;
let dump: string;
let encrypted: Buffer;
/** The agent's identity, the one the backup is encrypted for, and one that is not. */
const keys = { agent: '', stranger: '' };

function keygen(path: string): string {
  spawnSync('age-keygen', ['-o', path], { encoding: 'utf8' });
  return path;
}

beforeAll(async () => {
  storage = await startStorage();
  dir = await mkdtemp(join(tmpdir(), 'decryption-'));
  keys.agent = keygen(join(dir, 'agent.key'));
  keys.stranger = keygen(join(dir, 'stranger.key'));
  const recipient = (await runTool('age-keygen', ['-y', keys.agent])).trim();
  // Random text compresses little: the encrypted dump spans several of age's 64 KiB chunks.
  await runTool('sqlite3', [join(dir, 'clinic.db')], {
    input:
      'CREATE TABLE t (a TEXT); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) INSERT INTO t SELECT hex(randomblob(48)) FROM n;',
  });
  dump = await runTool('sqlite3', [join(dir, 'clinic.db'), '.dump']);
  const age = spawnSync('age', ['-r', recipient], { input: gzipSync(dump) });
  expect(age.status, age.stderr.toString()).toBe(0);
  encrypted = age.stdout;
}, 60_000);

afterAll(async () => {
  await storage?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Where age's payload starts: after its header's last line (`--- <mac>`) and the 16-byte nonce. */
function payloadStart(bytes: Buffer): number {
  const macLine = bytes.indexOf('\n---');
  return bytes.indexOf('\n', macLine + 1) + 1 + 16;
}
/** A chunk of age's payload: 64 KiB of plain text and its 16-byte tag. */
const CHUNK = 64 * 1024 + 16;

let restores = 0;
async function restore(object: Buffer, options: { identities?: string[]; expected?: Buffer } = {}) {
  restores += 1;
  const name = `clinic_${restores}.sql.gz.age`;
  await storage.storage.bucket('pipeline-backups').file(name).save(object, { resumable: false });
  const { bytesUploaded: size, crc32c, md5 } = hashesOf(options.expected ?? object);
  const scratch = `clinic_restore_${restores}`;
  const target = targetConfigSchema.parse({
    id: 'clinic',
    engine: 'sqlite',
    database: 'clinic',
    path: join(dir, 'clinic.db'),
    restore: { scratchDatabases: [scratch], scratchDir: dir },
  });
  const identityFiles = options.identities ?? [keys.agent];
  const outcome = await streamRestore({
    url: `${storage.backend.url}/download/storage/v1/b/pipeline-backups/o/${encodeURIComponent(name)}?alt=media`,
    expected: { size, crc32c: crc32c as string, md5: md5 as string },
    compression: 'gzip',
    encrypted: true,
    command: restoreStepsFor(target, {}, scratch).restore,
    filters: restoreEngineFor(target.engine).filters(),
    settings: {
      zstdPath: 'zstd',
      ...(identityFiles.length > 0 && { decrypt: { agePath: 'age', identityFiles } }),
      retry: DEFAULT_RETRY_POLICY,
      redact: createRedactor([]).redact,
    },
    signal: new AbortController().signal,
  });
  const tables = await runTool('sqlite3', [
    join(dir, `${scratch}.sqlite`),
    'SELECT count(*) FROM sqlite_schema;',
  ]);
  return { outcome, tables: tables.trim() };
}

describe('restoring an encrypted backup', () => {
  it('decrypts it with the agent’s identity, among others, and restores every row', async () => {
    const { outcome, tables } = await restore(encrypted, { identities: [keys.stranger, keys.agent] });
    expect(outcome, JSON.stringify(outcome)).toMatchObject({
      ok: true,
      exitCodes: { decrypt: 0, restore: 0 },
    });
    expect(outcome.bytesRestored).toBe(Buffer.byteLength(dump));
    expect(tables).toBe('1');
  });

  it('fails DECRYPT_TAMPERED on a byte changed in a chunk, and restores nothing', async () => {
    expect(encrypted.length).toBeGreaterThan(payloadStart(encrypted) + 2 * CHUNK);
    const tampered = Buffer.from(encrypted);
    const at = payloadStart(encrypted) + CHUNK + 100;
    tampered[at] = (tampered[at] as number) ^ 0x01;
    const { outcome, tables } = await restore(tampered);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ ok: false, errorCode: 'DECRYPT_TAMPERED' });
    expect(outcome.errorMessage).toBe('age exited with code 1');
    expect(outcome.stderrTail.join('\n')).toMatch(/failed to decrypt and authenticate payload chunk/);
    expect(outcome.exitCodes.restore).toBeNull();
    expect(tables).toBe('0');
  });

  it('fails DECRYPT_TAMPERED on a changed header, whose MAC age checks first', async () => {
    const tampered = Buffer.from(encrypted);
    const at = encrypted.indexOf('\n---') + 8;
    tampered[at] = tampered[at] === 0x41 ? 0x42 : 0x41;
    const { outcome, tables } = await restore(tampered);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ ok: false, errorCode: 'DECRYPT_TAMPERED' });
    expect(tables).toBe('0');
  });

  it('fails DECRYPT_TRUNCATED on an object cut after a whole chunk, and restores nothing', async () => {
    const truncated = encrypted.subarray(0, payloadStart(encrypted) + CHUNK);
    const { outcome, tables } = await restore(truncated);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ ok: false, errorCode: 'DECRYPT_TRUNCATED' });
    expect(outcome.stderrTail.join('\n')).toMatch(/unexpected EOF/);
    // age passed on the whole chunk it could authenticate; sqlite3 never had the end of the dump.
    expect(outcome.exitCodes.restore).toBeNull();
    expect(tables).toBe('0');
  });

  it('fails DECRYPT_TRUNCATED on an object cut inside its header', async () => {
    const { outcome, tables } = await restore(encrypted.subarray(0, 40));
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ ok: false, errorCode: 'DECRYPT_TRUNCATED' });
    expect(tables).toBe('0');
  });

  it('fails DECRYPT_WRONG_IDENTITY when no identity of the agent’s is a recipient, and restores nothing', async () => {
    const { outcome, tables } = await restore(encrypted, { identities: [keys.stranger] });
    expect(outcome, JSON.stringify(outcome)).toMatchObject({
      ok: false,
      errorCode: 'DECRYPT_WRONG_IDENTITY',
    });
    expect(outcome.stderrTail.join('\n')).toMatch(/no identity matched any of the recipients/);
    expect(tables).toBe('0');
  });

  it('fails DECRYPT_WRONG_IDENTITY, naming the setting, when the agent holds no identity at all', async () => {
    const { outcome } = await restore(encrypted, { identities: [] });
    expect(outcome).toMatchObject({ ok: false, errorCode: 'DECRYPT_WRONG_IDENTITY' });
    expect(outcome.errorMessage).toMatch(/holds no identity .*"identityFiles"/);
  });

  it('fails HASH_MISMATCH on a changed byte when the backup’s own hashes are known: checked before decryption', async () => {
    const tampered = Buffer.from(encrypted);
    const at = payloadStart(encrypted) + 10;
    tampered[at] = (tampered[at] as number) ^ 0x01;
    const { outcome, tables } = await restore(tampered, { expected: encrypted });
    expect(outcome).toMatchObject({ ok: false, errorCode: 'HASH_MISMATCH' });
    expect(tables).toBe('0');
  });

  it('keeps the identity file out of every line it reports', async () => {
    const key = await readFile(keys.stranger, 'utf8');
    const secret = /AGE-SECRET-KEY-[0-9A-Z]+/.exec(key)?.[0] as string;
    const { outcome } = await restore(encrypted, { identities: [keys.stranger] });
    expect(JSON.stringify(outcome)).not.toContain(secret);
  });
});
