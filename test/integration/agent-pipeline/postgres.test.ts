// PostgreSQL through the whole pipeline, into each storage backend: pg_dump over TCP with a password, restored with psql into a fresh
// database and compared table by table with the source, with the view, trigger and functions present; and pg_dump's
// output cut short by a tool that still exits 0.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetInput } from '../../../agent/engines/index.js';
import { type Postgres, pgChecksums, seedPgFixture, startPostgres } from '../../helpers/postgres.js';
import { unavailable } from '../../helpers/provisioned.js';
import { createStandIns, type StandIns } from '../../helpers/stand-in-tools.js';
import { describeEachBackend } from '../../helpers/storage-backends.js';
import { backup, gunzipText, startStorage, type TestStorage } from './storage.js';

describe.skipIf(unavailable('postgres') !== undefined)('postgres engine', () => {
  let pg: Postgres;
  let target: TargetInput;
  let standIns: StandIns;

  beforeAll(async () => {
    standIns = await createStandIns();
    pg = await startPostgres();
    await seedPgFixture(pg, 'HospitalDB');
    target = {
      id: 'hospital-pg',
      engine: 'postgres',
      database: 'HospitalDB',
      host: pg.host,
      port: pg.port,
      user: pg.user,
      toolPath: '/usr/lib/postgresql/15/bin/pg_dump',
    };
  });

  afterAll(async () => {
    await Promise.all([pg?.stop(), standIns?.remove()]);
  });

  describeEachBackend((backend) => {
    let storage: TestStorage;
    // One cluster serves both backends' tests: each restores into a database of its own.
    const restored = `Restored_${backend.replaceAll('-', '_')}`;
    beforeAll(async () => {
      storage = await startStorage(backend);
    });
    afterAll(async () => {
      await storage?.close();
    });
    it('backs up, and the dump restores into a fresh database owned by another role', async () => {
      const request = await storage.request('HospitalDB_20240101.sql.gz');
      const outcome = await backup({ request, target, password: pg.password });
      expect(outcome).toMatchObject({ ok: true, exitCodes: { dump: 0 } });
      const sql = gunzipText(await storage.download(request.objectName));
      expect(outcome.bytesRead).toBe(Buffer.byteLength(sql));
      expect(sql).not.toMatch(/OWNER TO|^GRANT /m);
      await pg.exec(`CREATE DATABASE "${restored}";`);
      await pg.exec(sql, restored);
      const sums = await pgChecksums(pg, restored);
      expect(sums).toEqual(await pgChecksums(pg, 'HospitalDB'));
      expect(sums.objects).toEqual([
        'function:log_visit',
        'function:visit_total',
        'trigger:visits_audit',
        'view:patient_visits',
      ]);
    });

    it('fails with DUMP_INCOMPLETE when the dump stops after the last table and its tool exits 0', async () => {
      // The real pg_dump, its output passed on only up to the last table's data, as by a wrapper losing the rest.
      const cut = await standIns.script(
        'pg_dump-cut',
        `/usr/lib/postgresql/15/bin/pg_dump "$@" | sed '/^-- PostgreSQL database dump complete/,$d'`,
      );
      const request = await storage.request('HospitalDB_cut_20240101.sql.gz');
      const outcome = await backup({ request, target: { ...target, toolPath: cut }, password: pg.password });
      expect(outcome).toMatchObject({ ok: false, errorCode: 'DUMP_INCOMPLETE', exitCodes: { dump: 0 } });
      expect(outcome.errorMessage).toBe(
        'pg_dump-cut exited 0 but its dump does not end with `-- PostgreSQL database dump complete`',
      );
      expect(await storage.exists(request.objectName)).toBe(false);
    });

    it('fails with DUMP_FAILED when the password is wrong, and leaves no object', async () => {
      const request = await storage.request('HospitalDB_badpass.sql.gz');
      const outcome = await backup({ request, target, password: 'not-the-password' });
      expect(outcome).toMatchObject({ ok: false, errorCode: 'DUMP_FAILED', exitCodes: { dump: 1 } });
      expect(outcome.stderrTail.join('\n')).toMatch(/password authentication failed/);
      expect(await storage.exists(request.objectName)).toBe(false);
    });
  });
});
