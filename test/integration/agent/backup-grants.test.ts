// The backup users of agent/deploy/README.md, with exactly the grants it gives and nothing more, back their one
// database up whole through the agent: the dump restores to the same rows, views, triggers, routines and events.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { downloadObject, openUploadSession, startTestAgent, type TestAgent } from '../../helpers/agent.js';
import {
  mariadbBackupGrants,
  mariadbBackupUser,
  postgresBackupGrants,
  postgresBackupRole,
} from '../../helpers/backup-users.js';
import { checksums, type MariaDb, seedFixture, startMariaDb } from '../../helpers/mariadb.js';
import { type Postgres, pgChecksums, seedPgFixture, startPostgres } from '../../helpers/postgres.js';
import { unavailable } from '../../helpers/provisioned.js';
import { runTool } from '../../helpers/stand-in-tools.js';

const BUCKET = 'db-backups';
const README = join(import.meta.dirname, '..', '..', '..', 'agent', 'deploy', 'README.md');
const PASSWORD = 'least-Privilege-1';

describe('the README', () => {
  it('gives the grants the tests back up with', async () => {
    const readme = (await readFile(README, 'utf8')).replace(/[ \t]+/g, ' ');
    for (const statement of [
      ...mariadbBackupGrants('HospitalDB', "'backup'@'localhost'"),
      ...postgresBackupGrants('app', 'backup', 'app_owner'),
    ])
      expect(readme).toContain(statement);
  });
});

describe.skipIf(unavailable('mariadb', 'postgres') !== undefined)(
  'backups as the least-privileged users',
  () => {
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
      await Promise.all([seedFixture(mariadb, 'HospitalDB'), seedPgFixture(postgres, 'app')]);
      // Another database on each server, which the backup users must not need (and cannot read).
      await Promise.all([seedFixture(mariadb, 'Other'), seedPgFixture(postgres, 'other')]);
      await mariadbBackupUser(mariadb, 'HospitalDB', 'least', PASSWORD);
      await postgresBackupRole(postgres, 'app', 'least', PASSWORD);
      dir = await mkdtemp(join(tmpdir(), 'backup-grants-'));
      const passwordFile = join(dir, 'least.password');
      await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
      agent = await startTestAgent({
        targets: [
          {
            id: 'HospitalDB',
            engine: 'mysql',
            database: 'HospitalDB',
            host: '127.0.0.1',
            port: mariadb.port,
            user: 'least',
            passwordFile,
          },
          {
            id: 'app',
            engine: 'postgres',
            database: 'app',
            host: '127.0.0.1',
            port: postgres.port,
            user: 'least',
            passwordFile,
          },
        ],
        uploads: { origin: emulator.url, buckets: [BUCKET] },
      });
    }, 120_000);

    afterAll(async () => {
      await agent?.remove();
      await Promise.all([emulator?.close(), mariadb?.stop(), postgres?.stop()]);
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    async function backupToSql(targetId: string): Promise<string> {
      const objectName = `${targetId}_20250301.sql.gz`;
      const uploadUri = await openUploadSession(emulator.url, BUCKET, objectName);
      const status = await agent.waitForJob(
        await agent.submit({
          runId: `run-${targetId}`,
          targetId,
          objectName,
          uploadUri,
          compression: { algorithm: 'gzip' },
        }),
      );
      expect(status, JSON.stringify(status)).toMatchObject({ state: 'succeeded', exitCodes: { dump: 0 } });
      const object = await downloadObject(emulator.url, BUCKET, objectName);
      if (!object) throw new Error('no object');
      return gunzipSync(object).toString('utf8');
    }

    it('MariaDB: the dump holds the views, triggers, routines and events, and restores to the same database', async () => {
      const sql = await backupToSql('HospitalDB');
      await mariadb.exec('CREATE DATABASE restored;');
      await mariadb.exec(sql, 'restored');
      const original = await checksums(mariadb, 'HospitalDB');
      expect(original.objects.length).toBeGreaterThanOrEqual(5);
      expect(await checksums(mariadb, 'restored')).toEqual(original);
    });

    it('PostgreSQL: the dump restores to the same tables, views, triggers and functions', async () => {
      const sql = await backupToSql('app');
      await postgres.exec('CREATE DATABASE restored;');
      await postgres.exec(sql, 'restored');
      expect(await pgChecksums(postgres, 'restored')).toEqual(await pgChecksums(postgres, 'app'));
    });

    it('reads nothing but its own database', async () => {
      const asLeast = (file: string, args: string[], env: Record<string, string>) =>
        runTool(file, args, { env: { ...process.env, ...env } }).then(
          () => 'read',
          (error: Error) => error.message,
        );
      const mysql = (database: string) =>
        asLeast(
          'mariadb',
          [
            '--no-defaults',
            '--protocol=tcp',
            '--host=127.0.0.1',
            `--port=${mariadb.port}`,
            '--user=least',
            database,
            '-e',
            'SELECT COUNT(*) FROM patients',
          ],
          { MYSQL_PWD: PASSWORD },
        );
      const psql = (database: string) =>
        asLeast(
          '/usr/lib/postgresql/15/bin/psql',
          [
            '--no-psqlrc',
            '--host=127.0.0.1',
            `--port=${postgres.port}`,
            '--username=least',
            `--dbname=${database}`,
            '--command=SELECT COUNT(*) FROM patients',
          ],
          { PGPASSWORD: PASSWORD },
        );
      expect(await mysql('HospitalDB')).toBe('read');
      expect(await mysql('Other')).toMatch(/Access denied for user 'least'/);
      expect(await psql('app')).toBe('read');
      expect(await psql('other')).toMatch(/permission denied for table patients/);
    });
  },
);
