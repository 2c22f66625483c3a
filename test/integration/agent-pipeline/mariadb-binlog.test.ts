// A MariaDB backup records where its snapshot stands in the server's binary log: while rows are inserted one a
// transaction, before, during and after the dump, every row is either in the dump or in the binary log after the
// recorded position, never both and never neither — what replaying the log from a full backup depends on. With the
// backup encrypted too, both optional stages (head before the counting pv, age after the compressor) run in one chain.

import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetInput } from '../../../agent/engines/index.js';
import { type MariaDb, startMariaDb } from '../../helpers/mariadb.js';
import { unavailable } from '../../helpers/provisioned.js';
import { runTool } from '../../helpers/stand-in-tools.js';
import { backup, gunzipText, startStorage, type TestStorage } from './storage.js';

const SERVER_ID = 42;

/** The ids of `w` the dump holds: mysqldump writes its rows as `INSERT INTO `w` VALUES (1),(2),…;`. */
function dumpedIds(sql: string): number[] {
  const ids: number[] = [];
  for (const insert of sql.matchAll(/^INSERT INTO `w` VALUES\s([^;]*);$/gm)) {
    for (const row of (insert[1] ?? '').matchAll(/\((\d+)\)/g)) ids.push(Number(row[1]));
  }
  return ids;
}

/** The ids inserted into `w` from `file`:`position` to the end of the server's binary log, as mariadb-binlog reads it. */
async function loggedIds(db: MariaDb, file: string, position: number): Promise<number[]> {
  const text = await runTool(
    'mariadb-binlog',
    [
      '--no-defaults',
      '--read-from-remote-server',
      `--socket=${db.socket}`,
      '--user=root',
      '--to-last-log',
      `--start-position=${position}`,
      '--base64-output=DECODE-ROWS',
      '--verbose',
      file,
    ],
    { env: { ...process.env, MYSQL_PWD: db.rootPassword } },
  );
  return [...text.matchAll(/^### INSERT INTO `Ward`\.`w`\n### SET\n###\s+@1=(\d+)/gm)].map((m) =>
    Number(m[1]),
  );
}

describe.skipIf(unavailable('mariadb') !== undefined)('a MariaDB backup with binary logging on', () => {
  let db: MariaDb;
  let storage: TestStorage;
  let target: Extract<TargetInput, { engine: 'mysql' }>;

  beforeAll(async () => {
    db = await startMariaDb({ binlog: { serverId: SERVER_ID } });
    storage = await startStorage('emulator');
    await db.exec('CREATE DATABASE Ward;');
    await db.exec(
      [
        // Some megabytes before `w`, so that the dump takes a while as rows keep coming.
        'CREATE TABLE filler (id INT PRIMARY KEY, pad VARCHAR(200));',
        "INSERT INTO filler SELECT seq, REPEAT('x', 200) FROM seq_1_to_30000;",
        'CREATE TABLE w (id INT AUTO_INCREMENT PRIMARY KEY);',
        'CREATE TABLE halt (x INT);',
        // Each INSERT of a procedure commits on its own: one transaction, one binary-log event, per row.
        'DELIMITER //',
        'CREATE PROCEDURE writer() BEGIN WHILE (SELECT COUNT(*) FROM halt) = 0 DO INSERT INTO w VALUES (NULL); DO SLEEP(0.002); END WHILE; END//',
        'DELIMITER ;',
      ].join('\n'),
      'Ward',
    );
    target = {
      id: 'ward',
      engine: 'mysql',
      database: 'Ward',
      host: db.host,
      port: db.port,
      user: db.user,
      toolPath: '/usr/bin/mariadb-dump',
      clientPath: '/usr/bin/mariadb',
    };
  });

  afterAll(async () => {
    await storage?.close();
    await db?.stop();
  });

  it('records the position of its snapshot: each row is in the dump or in the log after it, exactly once', async () => {
    const writing = db.exec('CALL writer();', 'Ward');
    for (;;) {
      if (Number((await db.exec('SELECT COUNT(*) FROM w;', 'Ward')).trim()) >= 20) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const request = await storage.request('Ward_binlog.sql.gz');
    const outcome = await backup({ request, target, password: db.password, chunkSize: 256 * 1024 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await db.exec('INSERT INTO halt VALUES (1);', 'Ward');
    await writing;

    expect(outcome, JSON.stringify(outcome)).toMatchObject({
      ok: true,
      exitCodes: { dump: 0, head: 0, count: 0, mark: 0, compress: 0 },
      binlog: { file: expect.stringMatching(/^binlog\.\d{6}$/), serverId: SERVER_ID, gtidDomainId: 0 },
    });
    const { file, position } = outcome.binlog ?? { file: '', position: 0 };
    const sql = gunzipText(await storage.download(request.objectName));
    // The whole dump came through, the head that the agent passed on included, and is counted whole.
    expect(outcome.bytesRead).toBe(Buffer.byteLength(sql));
    expect(sql.startsWith('/*M!999999')).toBe(true);
    expect(sql).toContain(`-- CHANGE MASTER TO MASTER_LOG_FILE='${file}', MASTER_LOG_POS=${position};`);

    const dumped = dumpedIds(sql);
    const logged = await loggedIds(db, file, position);
    const all = (await db.exec('SELECT id FROM w ORDER BY id;', 'Ward')).trim().split('\n').map(Number);
    // Rows on both sides of the snapshot, or the check below would prove nothing.
    expect(dumped.length).toBeGreaterThan(0);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.filter((id) => dumped.includes(id))).toEqual([]);
    expect([...dumped, ...logged].sort((a, b) => a - b)).toEqual(all);
  });

  it('records its position when the backup is encrypted as well, the dump whole behind age', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'binlog-age-'));
    try {
      const key = join(dir, 'agent.key');
      await runTool('age-keygen', ['-o', key]);
      const recipient = (await runTool('age-keygen', ['-y', key])).trim();
      const request = { ...(await storage.request('Ward_binlog.sql.gz.age')), encrypted: true };
      const outcome = await backup({
        request,
        target,
        password: db.password,
        encryption: { encryption: 'required', recipients: [recipient] },
      });
      expect(outcome, JSON.stringify(outcome)).toMatchObject({
        ok: true,
        exitCodes: { dump: 0, head: 0, count: 0, mark: 0, compress: 0, encrypt: 0 },
        binlog: { serverId: SERVER_ID },
      });
      const age = spawnSync('age', ['-d', '-i', key], { input: await storage.download(request.objectName) });
      expect(age.status, age.stderr.toString()).toBe(0);
      const sql = gunzipSync(age.stdout).toString();
      expect(outcome.bytesRead).toBe(Buffer.byteLength(sql));
      expect(sql).toContain(
        `-- CHANGE MASTER TO MASTER_LOG_FILE='${outcome.binlog?.file}', MASTER_LOG_POS=${outcome.binlog?.position};`,
      );
      expect(sql).toMatch(/-- Dump completed/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is taken all the same where the server cannot be asked for its settings, saying why it has no position', async () => {
    const request = await storage.request('Ward_noclient.sql.gz');
    const outcome = await backup({
      request,
      target: { ...target, clientPath: '/nonexistent/mariadb' },
      password: db.password,
    });
    expect(outcome).toMatchObject({ ok: true, exitCodes: { dump: 0 } });
    expect(outcome.binlog).toBeUndefined();
    expect(outcome.exitCodes).not.toHaveProperty('head');
    expect(outcome.stderrTail).toEqual([
      expect.stringMatching(
        /^mariadb: cannot start mariadb: .*ENOENT; the backup records no binary-log position$/,
      ),
    ]);
    expect(gunzipText(await storage.download(request.objectName))).not.toContain('CHANGE MASTER');
  });
});
