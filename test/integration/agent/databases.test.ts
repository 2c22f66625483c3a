// MariaDB and PostgreSQL through a running agent over signed HTTP: dump, upload, restore, compare.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRequest } from '../../../core/protocol.js';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { downloadObject, openUploadSession, startTestAgent, type TestAgent } from '../../helpers/agent.js';
import { checksums, type MariaDb, seedFixture, startMariaDb } from '../../helpers/mariadb.js';
import { type Postgres, pgChecksums, seedPgFixture, startPostgres } from '../../helpers/postgres.js';

const BUCKET = 'db-backups';

async function readStateFiles(stateDir: string): Promise<string[]> {
  const dir = join(stateDir, 'jobs');
  return Promise.all((await readdir(dir)).map((name) => readFile(join(dir, name), 'utf8')));
}

describe('database backups through the agent', () => {
  let emulator: RunningEmulator;
  let mariadb: MariaDb;
  let postgres: Postgres;
  let dir: string;
  let agent: TestAgent;

  beforeAll(async () => {
    [emulator, mariadb, postgres] = await Promise.all([
      startEmulator({ port: 0 }),
      startMariaDb(),
      startPostgres(),
    ]);
    dir = await mkdtemp(join(tmpdir(), 'agent-databases-'));
    await Promise.all([seedFixture(mariadb, 'HospitalDB'), seedPgFixture(postgres, 'hospital')]);
    const mysqlPassword = join(dir, 'mysql.password');
    const pgPassword = join(dir, 'pg.password');
    await writeFile(mysqlPassword, `${mariadb.password}\n`, { mode: 0o600 });
    await writeFile(pgPassword, `${postgres.password}\n`, { mode: 0o600 });
    agent = await startTestAgent({
      targets: [
        {
          id: 'HospitalDB',
          engine: 'mysql',
          database: 'HospitalDB',
          host: '127.0.0.1',
          port: mariadb.port,
          user: mariadb.user,
          passwordFile: mysqlPassword,
          toolPath: '/usr/bin/mariadb-dump',
        },
        {
          id: 'hospital-pg',
          engine: 'postgres',
          database: 'hospital',
          host: '127.0.0.1',
          port: postgres.port,
          user: postgres.user,
          passwordFile: pgPassword,
        },
      ],
      uploads: { origin: emulator.url, buckets: [BUCKET] },
    });
  });
  afterAll(async () => {
    await agent?.remove();
    await Promise.all([emulator?.close(), mariadb?.stop(), postgres?.stop()]);
    await rm(dir, { recursive: true, force: true });
  });

  async function backupToSql(targetId: string): Promise<string> {
    const objectName = `${targetId}_20250301.sql.gz`;
    const request: JobRequest = {
      runId: `run-${targetId}`,
      targetId,
      objectName,
      uploadUri: await openUploadSession(emulator.url, BUCKET, objectName),
      compression: { algorithm: 'gzip', level: 6 },
    };
    const status = await agent.waitForJob(await agent.submit(request));
    expect(status, JSON.stringify(status)).toMatchObject({ state: 'succeeded', exitCodes: { dump: 0 } });
    const object = await downloadObject(emulator.url, BUCKET, objectName);
    if (!object) throw new Error('no object');
    expect(status.bytesUploaded).toBe(object.length);
    return gunzipSync(object).toString('utf8');
  }

  it('backs up MariaDB and the object restores to an identical database', async () => {
    const sql = await backupToSql('HospitalDB');
    await mariadb.exec('CREATE DATABASE restored;');
    await mariadb.exec(sql, 'restored');
    expect(await checksums(mariadb, 'restored')).toEqual(await checksums(mariadb, 'HospitalDB'));
  });

  it('backs up PostgreSQL and the object restores to an identical database', async () => {
    const sql = await backupToSql('hospital-pg');
    await postgres.exec('CREATE DATABASE restored;');
    await postgres.exec(sql, 'restored');
    expect(await pgChecksums(postgres, 'restored')).toEqual(await pgChecksums(postgres, 'hospital'));
  });

  it('keeps both passwords out of the log folder, the state folder and every status', async () => {
    const written = [...(await agent.logLines()), ...(await readStateFiles(agent.stateDir))].join('\n');
    const statuses = await Promise.all(
      ['HospitalDB', 'hospital-pg'].map((id) => agent.request(`/v1/jobs?targetId=${id}`)),
    );
    for (const password of [mariadb.password, postgres.password]) {
      // Raw, and as it would look inside a JSON string (these passwords hold quotes and backslashes).
      for (const form of [password, JSON.stringify(password).slice(1, -1)]) {
        expect(written).not.toContain(form);
        for (const status of statuses) expect(status.text).not.toContain(form);
      }
    }
  });
});
