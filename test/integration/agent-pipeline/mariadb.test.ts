// MariaDB through the whole pipeline: dump → gzip or zstd → storage (each backend), restored into a fresh database of
// another name and compared table by table with the source, with the view, trigger, routines and event present.

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetInput } from '../../../agent/engines/index.js';
import { checksums, type MariaDb, seedFixture, startMariaDb } from '../../helpers/mariadb.js';
import { unavailable } from '../../helpers/provisioned.js';
import { runTool } from '../../helpers/stand-in-tools.js';
import { describeEachBackend } from '../../helpers/storage-backends.js';
import { backup, gunzipText, startStorage, type TestStorage } from './storage.js';

describe.skipIf(unavailable('mariadb', 'zstd') !== undefined)('mysql engine against MariaDB', () => {
  let db: MariaDb;
  let target: Extract<TargetInput, { engine: 'mysql' }>;

  beforeAll(async () => {
    db = await startMariaDb();
    await seedFixture(db, 'HospitalDB');
    target = {
      id: 'hospital',
      engine: 'mysql',
      database: 'HospitalDB',
      host: db.host,
      port: db.port,
      user: db.user,
      toolPath: '/usr/bin/mariadb-dump',
    };
  });

  afterAll(async () => {
    await db?.stop();
  });

  async function restoreAndCompare(sql: string, restored: string): Promise<void> {
    await db.exec(`CREATE DATABASE \`${restored}\`;`);
    await db.exec(sql, restored);
    expect(await checksums(db, restored)).toEqual(await checksums(db, 'HospitalDB'));
  }

  describeEachBackend((backend) => {
    let storage: TestStorage;
    // One MariaDB serves both backends' tests: each restores into databases of its own.
    const suffix = backend.replaceAll('-', '_');
    beforeAll(async () => {
      storage = await startStorage(backend);
    });
    afterAll(async () => {
      await storage?.close();
    });
    it.each([
      // One pv counts the dump between the tools, the other shows its last bytes.
      {
        name: 'pigz and pv',
        pigzPath: 'pigz',
        pvPath: 'pv',
        exitCodes: { dump: 0, count: 0, mark: 0, compress: 0 },
      },
    ])(
      'backs up with gzip through $name, and the dump restores into a database of another name',
      async (variant) => {
        const key = variant.name.replaceAll(' ', '_');
        const request = await storage.request(`HospitalDB_${key}.sql.gz`);
        const outcome = await backup({
          request,
          target,
          password: db.password,
          pigzPath: variant.pigzPath,
          pvPath: variant.pvPath,
          chunkSize: 256 * 1024,
        });
        expect(outcome).toMatchObject({ ok: true, exitCodes: variant.exitCodes });
        expect(Object.keys(outcome.exitCodes).sort()).toEqual(Object.keys(variant.exitCodes).sort());
        // This server keeps no binary log: the backup succeeds as before, with no position and no head read.
        expect(outcome.binlog).toBeUndefined();
        const object = await storage.download(request.objectName);
        expect(outcome.bytesUploaded).toBe(object.length);
        const [metadata] = await storage.storage
          .bucket('pipeline-backups')
          .file(request.objectName)
          .getMetadata();
        expect(outcome.crc32c).toBe(metadata.crc32c);
        expect(outcome.md5).toBe(metadata.md5Hash);
        expect(outcome.sha256).toBe(createHash('sha256').update(object).digest('hex'));
        // What an administrator restoring by hand would run.
        await runTool('gzip', ['-t'], { input: object });
        const sql = await runTool('gunzip', ['-c'], { input: object });
        expect(outcome.bytesRead).toBe(Buffer.byteLength(sql));
        expect(sql).not.toMatch(/CREATE DATABASE|^USE /m);
        await restoreAndCompare(sql, `Restored_${key}_${suffix}`);
      },
    );

    it('backs up with zstd at a chosen level, counted by pv, and the dump restores', async () => {
      const request = await storage.request('HospitalDB_20240101.sql.zst', { algorithm: 'zstd', level: 9 });
      const outcome = await backup({ request, target, password: db.password, zstdPath: '/usr/bin/zstd' });
      expect(outcome).toMatchObject({ ok: true, exitCodes: { dump: 0, count: 0, compress: 0 } });
      const sql = await runTool('zstd', ['-d', '-c'], { input: await storage.download(request.objectName) });
      expect(outcome.bytesRead).toBe(Buffer.byteLength(sql));
      await restoreAndCompare(sql, `Restored_zstd_${suffix}`);
    });

    it('connects over the unix socket when the target names one', async () => {
      const request = await storage.request('HospitalDB_socket.sql.gz');
      const outcome = await backup({
        request,
        target: { ...target, socket: db.socket },
        password: db.password,
      });
      expect(outcome.ok).toBe(true);
      expect(gunzipText(await storage.download(request.objectName))).toContain('CREATE TABLE `patients`');
    });

    it('fails with DUMP_FAILED on a wrong password, with the tool’s words but never the password', async () => {
      const request = await storage.request('HospitalDB_badpass.sql.gz');
      const wrong = `${db.password}-wrong`;
      const outcome = await backup({ request, target, password: wrong });
      expect(outcome).toMatchObject({ ok: false, errorCode: 'DUMP_FAILED', exitCodes: { dump: 2 } });
      expect(outcome.stderrTail.join('\n')).toMatch(/Access denied/);
      expect(JSON.stringify(outcome)).not.toContain(wrong);
      expect(await storage.exists(request.objectName)).toBe(false);
      if (storage.cancelObservable) expect(await storage.sessionStatus(request.uploadUri)).toBe(499);
    });
  });
});
