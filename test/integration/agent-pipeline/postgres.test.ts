// PostgreSQL through the whole pipeline: pg_dump over TCP with a password, restored with psql into a fresh
// database and compared table by table with the source, with the view, trigger and functions present.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetInput } from '../../../agent/engines/index.js';
import { type Postgres, pgChecksums, seedPgFixture, startPostgres } from '../../helpers/postgres.js';
import { backup, gunzipText, startStorage, type TestStorage } from './storage.js';

let pg: Postgres;
let storage: TestStorage;
let target: TargetInput;

beforeAll(async () => {
  [pg, storage] = await Promise.all([startPostgres(), startStorage()]);
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
  await Promise.all([pg?.stop(), storage?.close()]);
});

describe('postgres engine', () => {
  it('backs up, and the dump restores into a fresh database owned by another role', async () => {
    const request = await storage.request('HospitalDB_20240101.sql.gz');
    const outcome = await backup({ request, target, password: pg.password });
    expect(outcome).toMatchObject({ ok: true, exitCodes: { dump: 0 } });
    const sql = gunzipText(await storage.download(request.objectName));
    expect(outcome.bytesRead).toBe(Buffer.byteLength(sql));
    expect(sql).not.toMatch(/OWNER TO|^GRANT /m);
    await pg.exec('CREATE DATABASE "Restored";');
    await pg.exec(sql, 'Restored');
    const restored = await pgChecksums(pg, 'Restored');
    expect(restored).toEqual(await pgChecksums(pg, 'HospitalDB'));
    expect(restored.objects).toEqual([
      'function:log_visit',
      'function:visit_total',
      'trigger:visits_audit',
      'view:patient_visits',
    ]);
  });

  it('fails with DUMP_FAILED when the password is wrong, and leaves no object', async () => {
    const request = await storage.request('HospitalDB_badpass.sql.gz');
    const outcome = await backup({ request, target, password: 'not-the-password' });
    expect(outcome).toMatchObject({ ok: false, errorCode: 'DUMP_FAILED', exitCodes: { dump: 1 } });
    expect(outcome.stderrTail.join('\n')).toMatch(/password authentication failed/);
    expect(await storage.exists(request.objectName)).toBe(false);
  });
});
