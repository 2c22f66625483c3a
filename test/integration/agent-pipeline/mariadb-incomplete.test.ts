// A MariaDB dump that is not whole never becomes an object: the server killed once the dump's output shows the last
// table's data (mariadb-dump notices at its next query and exits 2; a wrapper that loses that exit code leaves only
// the missing `-- Dump completed` to tell), and an option file cannot switch the mark off.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetInput } from '../../../agent/engines/index.js';
import { type MariaDb, startMariaDb } from '../../helpers/mariadb.js';
import { unavailable } from '../../helpers/provisioned.js';
import { createStandIns, type StandIns } from '../../helpers/stand-in-tools.js';
import { backup, gunzipText, startStorage, type TestStorage } from './storage.js';

/** Two tables; the last, z_last, about 300 kB: more than a pipe holds, less than the server's socket sends at once. */
const SCHEMA = `SET SESSION max_recursive_iterations = 10000;
CREATE DATABASE Clinic; USE Clinic;
CREATE TABLE a_first (id INT PRIMARY KEY); INSERT INTO a_first VALUES (1), (2);
CREATE TABLE z_last (id INT PRIMARY KEY, note VARCHAR(200));
INSERT INTO z_last WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1900)
SELECT i, REPEAT('x', 150) FROM n;
CREATE PROCEDURE visits_today() SELECT COUNT(*) FROM a_first;`;

/**
 * mariadb-dump passed through line by line; once its output shows the last table's data, the reader stops for half
 * a second — the dump fills the pipe, the server sends the rest of the table — and kills the server. The dump's own
 * exit code is passed on, or (`keepExit` false) lost, as a wrapper run without pipefail would lose it.
 */
function killingWrapper(pidFile: string, statusFile: string, keepExit: boolean): string {
  return [
    `{ /usr/bin/mariadb-dump "$@"; echo $? > '${statusFile}'; } | {`,
    '  while IFS= read -r line; do',
    `    printf '%s\\n' "$line"`,
    `    case "$line" in *'Dumping data for table \`z_last\`'*) sleep 0.5; kill -9 "$(cat '${pidFile}')"; break;; esac`,
    '  done',
    '  cat',
    '}',
    keepExit ? `exit "$(cat '${statusFile}')"` : 'exit 0',
  ].join('\n');
}

/** The Clinic database of `db` as a target, dumped by `toolPath`. */
function clinic(db: MariaDb, toolPath: string): TargetInput {
  return {
    id: 'clinic',
    engine: 'mysql',
    database: 'Clinic',
    host: db.host,
    port: db.port,
    user: db.user,
    toolPath,
  };
}

describe.skipIf(unavailable('mariadb') !== undefined)('an incomplete MariaDB dump', () => {
  let storage: TestStorage;
  let standIns: StandIns;

  beforeAll(async () => {
    [storage, standIns] = await Promise.all([startStorage('emulator'), createStandIns()]);
  });
  afterAll(async () => {
    await Promise.all([storage?.close(), standIns?.remove()]);
  });

  describe.each([
    { exit: 'its exit code kept', keepExit: true, errorCode: 'DUMP_FAILED', dumpExit: 2 },
    { exit: 'its exit code lost', keepExit: false, errorCode: 'DUMP_INCOMPLETE', dumpExit: 0 },
  ])('whose server dies after the last table, $exit', ({ keepExit, errorCode, dumpExit }) => {
    let db: MariaDb;
    beforeAll(async () => {
      db = await startMariaDb();
      await db.exec(SCHEMA);
    });
    afterAll(async () => {
      await db?.stop();
    });

    it(`ends ${errorCode} and leaves no object`, async () => {
      const statusFile = join(standIns.dir, `status-${keepExit}`);
      const wrapper = await standIns.script(
        `mariadb-dump-${keepExit}`,
        killingWrapper(join(dirname(db.socket), 'mariadbd.pid'), statusFile, keepExit),
      );
      const request = await storage.request(`Clinic_${keepExit}_20240101.sql.gz`);
      const outcome = await backup({
        request,
        target: clinic(db, wrapper),
        password: db.password,
        chunkSize: 256 * 1024,
      });
      // mariadb-dump wrote the last table whole, and noticed the server gone only at its next query.
      expect(await readFile(statusFile, 'utf8')).toBe('2\n');
      expect(outcome, JSON.stringify(outcome)).toMatchObject({
        ok: false,
        errorCode,
        exitCodes: { dump: dumpExit },
      });
      if (!keepExit) {
        expect(outcome.errorMessage).toBe(
          `mariadb-dump-false exited 0 but its dump does not end with \`-- Dump completed\` as its last line`,
        );
      }
      expect(outcome.bytesRead).toBeGreaterThan(290_000);
      expect(await storage.exists(request.objectName)).toBe(false);
      expect(await storage.sessionStatus(request.uploadUri)).toBe(499);
    });
  });

  describe('with an option file asking mariadb-dump to leave its comments out', () => {
    let db: MariaDb;
    let home: string;
    const realHome = process.env.HOME;
    beforeAll(async () => {
      db = await startMariaDb();
      await db.exec(SCHEMA);
      // Read by mariadb-dump from the home of whoever runs it, unless told to read no option file but its own.
      home = await mkdtemp(join(tmpdir(), 'home-'));
      await writeFile(
        join(home, '.my.cnf'),
        '[mysqldump]\nskip-comments\ncompact\n[client]\nskip-comments\n',
      );
      process.env.HOME = home;
    });
    afterAll(async () => {
      process.env.HOME = realHome;
      await db?.stop();
      if (home) await rm(home, { recursive: true, force: true });
    });

    it('still gets a dump that ends with its mark, which the agent accepts', async () => {
      const request = await storage.request('Clinic_mycnf_20240101.sql.gz');
      const outcome = await backup({
        request,
        target: clinic(db, '/usr/bin/mariadb-dump'),
        password: db.password,
      });
      expect(outcome, JSON.stringify(outcome)).toMatchObject({ ok: true });
      expect(gunzipText(await storage.download(request.objectName))).toMatch(
        /\n-- Dump completed on \d{4}-\d\d-\d\d [ \d]\d:\d\d:\d\d\n$/,
      );
    });
  });
});
