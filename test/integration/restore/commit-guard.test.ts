// What a restore guarantees when the object turns out not to be the backup: psql (one transaction) and sqlite3
// (whose dump ends in COMMIT) are killed before they read the end of the dump, so nothing they restored is committed
// — even when every statement decompressed fine and only the gzip trailer was wrong.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreEngineFor, restoreStepsFor, targetConfigSchema } from '../../../agent/engines/index.js';
import { createRedactor } from '../../../agent/log/redact.js';
import { DEFAULT_RETRY_POLICY } from '../../../agent/pipeline/retrying.js';
import { streamRestore } from '../../../agent/restore/stream-restore.js';
import { type Postgres, pgString, seedPgFixture, startPostgres } from '../../helpers/postgres.js';
import { runTool } from '../../helpers/stand-in-tools.js';
import { type StorageProxy, startStorageProxy } from '../../helpers/storage-proxy.js';
import { hashesOf } from '../../unit/functions/scripted-agent.js';
import { startStorage, type TestStorage } from '../agent-pipeline/storage.js';

let pg: Postgres;
let storage: TestStorage;
let proxy: StorageProxy;
let dir: string;

beforeAll(async () => {
  [pg, storage] = await Promise.all([startPostgres(), startStorage()]);
  proxy = await startStorageProxy(storage.backend.url);
  dir = await mkdtemp(join(tmpdir(), 'commit-guard-'));
  await seedPgFixture(pg, 'app');
  await pg.exec(`CREATE ROLE restore LOGIN CREATEDB PASSWORD ${pgString('restore-pw')};`);
}, 120_000);

afterAll(async () => {
  await Promise.all([pg?.stop(), storage?.close(), proxy?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * Stores `dump` gzipped, and restores it with a byte of its CRC trailer flipped on the way — the trailer a second
 * late, so the restore tool has run what it was given before the hashes are known.
 */
async function restoreWithBadTrailer(name: string, dump: string, target: unknown, scratch: string) {
  const good = gzipSync(dump);
  await storage.storage.bucket('pipeline-backups').file(name).save(good, { resumable: false });
  const { bytesUploaded: size, crc32c, md5 } = hashesOf(good);
  const parsed = targetConfigSchema.parse(target);
  proxy.spoil({ corruptByteAt: size - 8, pause: { at: size - 8, ms: 1000 } });
  return streamRestore({
    url: `${proxy.url}/download/storage/v1/b/pipeline-backups/o/${encodeURIComponent(name)}?alt=media`,
    expected: { size, crc32c: crc32c as string, md5: md5 as string },
    compression: 'gzip',
    command: restoreStepsFor(parsed, { password: 'restore-pw' }, scratch).restore,
    filters: restoreEngineFor(parsed.engine).filters(),
    settings: {
      zstdPath: 'zstd',
      retry: DEFAULT_RETRY_POLICY,
      redact: createRedactor(['restore-pw']).redact,
    },
    signal: new AbortController().signal,
  });
}

describe('a restore whose bytes are not the backup’s', () => {
  it('leaves a PostgreSQL scratch database without a single table: psql was killed inside its transaction', async () => {
    const dump = await runTool('/usr/lib/postgresql/15/bin/pg_dump', [
      `--host=${pg.socketDir}`,
      `--port=${pg.port}`,
      '--username=postgres',
      '--no-owner',
      '--no-privileges',
      'app',
    ]);
    await pg.exec('CREATE DATABASE app_restore OWNER restore;');
    const target = {
      id: 'app',
      engine: 'postgres',
      database: 'app',
      port: pg.port,
      user: 'backup',
      restore: { user: 'restore', scratchDatabases: ['app_restore'] },
    };
    const outcome = await restoreWithBadTrailer('app.sql.gz', dump, target, 'app_restore');
    expect(outcome).toMatchObject({ ok: false, errorCode: 'HASH_MISMATCH' });
    // Every statement but the held end reached psql (pg_dump's own \restrict lines are not passed on).
    const statements = dump.replace(/^\\(?:un)?restrict .*\n/gm, '');
    expect(statements.length).toBeLessThan(dump.length);
    expect(outcome.bytesRestored).toBe(Buffer.byteLength(statements));
    expect(outcome.exitCodes.restore).toBeNull();
    const tables = await pg.exec(
      "SELECT count(*) FROM pg_tables WHERE schemaname = 'public';",
      'app_restore',
    );
    expect(tables.trim()).toBe('0');
  });

  it('leaves a SQLite scratch file without a single table: the dump’s COMMIT was held back', async () => {
    await runTool('sqlite3', [join(dir, 'clinic.db')], {
      input:
        "CREATE TABLE t (a TEXT); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) INSERT INTO t SELECT 'row ' || i FROM n;",
    });
    const dump = await runTool('sqlite3', [join(dir, 'clinic.db'), '.dump']);
    const target = {
      id: 'clinic',
      engine: 'sqlite',
      database: 'clinic',
      path: join(dir, 'clinic.db'),
      restore: { scratchDatabases: ['clinic_restore'], scratchDir: dir },
    };
    const outcome = await restoreWithBadTrailer('clinic.sql.gz', dump, target, 'clinic_restore');
    expect(outcome).toMatchObject({ ok: false, errorCode: 'HASH_MISMATCH' });
    expect(outcome.bytesRestored).toBe(Buffer.byteLength(dump));
    const scratch = join(dir, 'clinic_restore.sqlite');
    expect(await runTool('sqlite3', [scratch, 'SELECT count(*) FROM sqlite_schema;'])).toBe('0\n');
  });
});
