// Backup and restore through the real agent, the function and the emulator, for MariaDB, PostgreSQL and SQLite: the
// restore reads the verified object through a signed URL, validates the scratch database against the dump and the
// admin's check, drops it; kept, it holds exactly the source's data. Then the weekly drill, as Cloud Scheduler calls it.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { createLocalSigner } from '../../../local/signer.js';
import { startTestAgent, type TestAgent } from '../../helpers/agent.js';
import { type GmailStub, startGmailStub } from '../../helpers/gmail-stub.js';
import { checksums, type MariaDb, seedFixture, startMariaDb } from '../../helpers/mariadb.js';
import { type Postgres, pgChecksums, seedPgFixture, startPostgres } from '../../helpers/postgres.js';
import {
  mariadbDatabases,
  mariadbRestoreUser,
  passwordFile,
  postgresDatabases,
  postgresRestoreRole,
} from '../../helpers/restore-users.js';
import { scheduledHeaders } from '../../helpers/scheduler.js';
import { runTool } from '../../helpers/stand-in-tools.js';
import { createBucket, type FunctionHarness, OAUTH, outcomes, startFunction } from '../functions/harness.js';

const BUCKET = 'restore-round-trip';
const SCHEDULER = 'db-backup-scheduler@acme-test.iam.gserviceaccount.com';
const CHECK = {
  name: 'patients on record',
  query: 'SELECT COUNT(*) FROM patients',
  expect: { atLeast: 300 },
};
const SQLITE_FIXTURE = `
CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT NOT NULL, photo BLOB, notes TEXT);
CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, message TEXT);
CREATE TRIGGER patients_audit AFTER INSERT ON patients BEGIN
  INSERT INTO audit_log (message) VALUES ('patient ' || NEW.id || ';');
END;
CREATE VIEW named AS SELECT id, name FROM patients;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
INSERT INTO patients (name, photo, notes)
SELECT CASE i % 2 WHEN 0 THEN 'Zoë; Ångström' ELSE 'O''Brien' END, randomblob(32), 'line;' || char(10) || 'two'
FROM n;
`;
/** Every table's rows and the schema, as sqlite3 itself prints them. */
const SQLITE_CONTENT = `
SELECT type || ':' || name FROM sqlite_schema ORDER BY name;
SELECT id, name, hex(photo), notes FROM patients ORDER BY id;
SELECT * FROM audit_log ORDER BY id;
`;

let emulator: RunningEmulator;
let mariadb: MariaDb;
let postgres: Postgres;
let gmail: GmailStub;
let agent: TestAgent;
let fn: FunctionHarness;
let dir: string;

beforeAll(async () => {
  const signer = createLocalSigner();
  [emulator, mariadb, postgres, gmail] = await Promise.all([
    startEmulator({ signedUrlKeys: signer.trusted }),
    startMariaDb(),
    startPostgres(),
    startGmailStub({ oauth: OAUTH }),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'restore-round-trip-'));
  await createBucket(emulator.url, BUCKET);
  await Promise.all([seedFixture(mariadb, 'HospitalDB'), seedPgFixture(postgres, 'app')]);
  await runTool('sqlite3', [join(dir, 'clinic.db')], { input: SQLITE_FIXTURE });
  const mysqlRestore = await mariadbRestoreUser(mariadb, ['HospitalDB_restore']);
  const pgRestore = await postgresRestoreRole(postgres);
  agent = await startTestAgent({
    targets: [
      {
        id: 'hospital',
        engine: 'mysql',
        database: 'HospitalDB',
        host: '127.0.0.1',
        port: mariadb.port,
        user: mariadb.user,
        passwordFile: await passwordFile(dir, 'mysql-backup', mariadb.password),
        toolPath: '/usr/bin/mariadb-dump',
        restore: {
          user: mysqlRestore.user,
          passwordFile: await passwordFile(dir, 'mysql-restore', mysqlRestore.password),
          toolPath: '/usr/bin/mariadb',
          scratchDatabases: ['HospitalDB_restore'],
          checks: [CHECK],
        },
      },
      {
        id: 'app',
        engine: 'postgres',
        database: 'app',
        host: '127.0.0.1',
        port: postgres.port,
        user: postgres.user,
        passwordFile: await passwordFile(dir, 'pg-backup', postgres.password),
        restore: {
          user: pgRestore.user,
          passwordFile: await passwordFile(dir, 'pg-restore', pgRestore.password),
          scratchDatabases: ['app_restore'],
          checks: [CHECK],
        },
      },
      {
        id: 'clinic',
        engine: 'sqlite',
        database: 'clinic',
        path: join(dir, 'clinic.db'),
        restore: { scratchDatabases: ['clinic_restore'], scratchDir: join(dir, 'scratch'), checks: [CHECK] },
      },
    ],
    uploads: { origin: emulator.url, buckets: [BUCKET] },
  });
  fn = await startFunction({
    emulator,
    gmail,
    bucket: BUCKET,
    key: agent.key,
    signer,
    targets: [
      { id: 'hospital', database: 'HospitalDB', engine: 'mysql', agentUrl: agent.url },
      { id: 'app', database: 'app', engine: 'postgres', agentUrl: agent.url },
      { id: 'clinic', database: 'clinic', engine: 'sqlite', agentUrl: agent.url },
    ],
    env: { BACKUP_SCHEDULER_SERVICE_ACCOUNT: SCHEDULER },
    file: { pollBudgetSeconds: 120 },
  });
  const { status, report } = await fn.backup();
  expect(status, JSON.stringify(report)).toBe(200);
}, 240_000);

afterAll(async () => {
  await fn?.close();
  await agent?.remove();
  await Promise.all([emulator?.close(), mariadb?.stop(), postgres?.stop(), gmail?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const ENGINES = [
  {
    targetId: 'hospital',
    scratch: 'HospitalDB_restore',
    exists: async () => (await mariadbDatabases(mariadb)).includes('HospitalDB_restore'),
    same: async () =>
      expect(await checksums(mariadb, 'HospitalDB_restore')).toEqual(await checksums(mariadb, 'HospitalDB')),
    drop: () => mariadb.exec('DROP DATABASE `HospitalDB_restore`;'),
  },
  {
    targetId: 'app',
    scratch: 'app_restore',
    exists: async () => (await postgresDatabases(postgres)).includes('app_restore'),
    same: async () =>
      expect(await pgChecksums(postgres, 'app_restore')).toEqual(await pgChecksums(postgres, 'app')),
    drop: () => postgres.exec('DROP DATABASE app_restore;'),
  },
  {
    targetId: 'clinic',
    scratch: 'clinic_restore',
    exists: async () => existsSync(join(dir, 'scratch', 'clinic_restore.sqlite')),
    same: async () =>
      expect(
        await runTool('sqlite3', [join(dir, 'scratch', 'clinic_restore.sqlite')], { input: SQLITE_CONTENT }),
      ).toBe(await runTool('sqlite3', [join(dir, 'clinic.db')], { input: SQLITE_CONTENT })),
    drop: () => rm(join(dir, 'scratch', 'clinic_restore.sqlite')),
  },
];

describe.each(ENGINES)('restoring $targetId', ({ targetId, scratch, exists, same, drop }) => {
  it('restores the newest verified backup into the scratch database, validates it, and drops it', async () => {
    const sent = gmail.messages.length;
    const { status, report } = await fn.restore({ database: targetId });
    expect(status, JSON.stringify(report)).toBe(200);
    const [target] = report.targets;
    expect(target).toMatchObject({
      targetId,
      outcome: 'restored',
      restore: { scratchDatabase: scratch, scratch: 'dropped' },
    });
    const tables = target?.restore?.tables ?? [];
    expect(tables.length).toBeGreaterThanOrEqual(2);
    expect(tables.find((table) => table.name.endsWith('patients'))?.rows).toBe(300);
    expect(target?.restore?.checks).toEqual([
      { name: CHECK.name, ok: true, value: '300', expected: '>= 300' },
    ]);
    expect(target?.restore?.durationMs).toBeGreaterThan(0);
    expect(await exists()).toBe(false);
    expect(gmail.messages.length).toBe(sent);
  });

  it('keeps the scratch database when asked, and it holds exactly the source’s data', async () => {
    const { report } = await fn.restore({ database: targetId, keep: 'true' });
    expect(report.targets[0]).toMatchObject({ outcome: 'restored', restore: { scratch: 'kept' } });
    try {
      expect(await exists()).toBe(true);
      await same();
    } finally {
      await drop();
    }
  });
});

describe('the weekly drill', () => {
  it('restores every target’s newest verified backup when Cloud Scheduler calls, and records each as drilled', async () => {
    const headers = scheduledHeaders(SCHEDULER, 'db-backup-restore-drill', new Date().toISOString());
    const { status, report } = await fn.restore({}, headers);
    expect(status, JSON.stringify(report)).toBe(200);
    expect(report).toMatchObject({ kind: 'restore', drill: true, status: 'ok' });
    expect(outcomes(report)).toEqual({ hospital: 'restored', app: 'restored', clinic: 'restored' });
    const listed = await fn.list();
    expect(listed.status).toBe(200);
    for (const target of listed.report.targets) {
      expect(target.backups[0]?.verifiedAt, target.targetId).toBeTruthy();
      expect(target.backups[0]?.drill, target.targetId).toMatchObject({ state: 'passed' });
      expect(target.backups[0]?.drill?.drilledAt).toMatch(/^\d{4}-/);
    }
    for (const { exists } of ENGINES) expect(await exists()).toBe(false);
  });
});
