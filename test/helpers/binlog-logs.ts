// What the point-in-time tests share: changes in seconds of their own (the binary log stamps whole seconds), a closed
// log read byte for byte as shipping reads it and compressed as it stores it, and an agent target that can replay.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TargetInput } from '../../agent/engines/index.js';
import type { MariaDb } from './mariadb.js';
import { passwordFile, type RestoreAccount } from './restore-users.js';
import { runTool } from './stand-in-tools.js';

/**
 * In the database it is run in: a table `w` (id, note) that `CALL writer()` fills with a 'writer' row every few
 * milliseconds, each INSERT its own transaction, until a row is put in `halt`; some megabytes of `filler` before `w`,
 * so that a dump takes a while as rows keep coming.
 */
export const SLOW_WRITER_SCHEMA = [
  'CREATE TABLE filler (id INT PRIMARY KEY, pad VARCHAR(200));',
  "INSERT INTO filler SELECT seq, REPEAT('x', 200) FROM seq_1_to_20000;",
  'CREATE TABLE w (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(40) NOT NULL);',
  'CREATE TABLE halt (x INT);',
  'DELIMITER //',
  "CREATE PROCEDURE writer() BEGIN WHILE (SELECT COUNT(*) FROM halt) = 0 DO INSERT INTO w (note) VALUES ('writer'); DO SLEEP(0.002); END WHILE; END//",
  'DELIMITER ;',
].join('\n');

/** Waits into the next whole second: a change made then is stamped later than all before it. That second. */
export async function nextSecond(): Promise<Date> {
  const second = Math.floor(Date.now() / 1000) + 1;
  await new Promise((resolve) => setTimeout(resolve, second * 1000 - Date.now() + 20));
  return new Date(second * 1000);
}

/** The server's logs by name, oldest first; the last is the open one. */
export async function binaryLogs(db: MariaDb): Promise<string[]> {
  return (await db.exec('SHOW BINARY LOGS;'))
    .trim()
    .split('\n')
    .map((line) => line.split('\t')[0] as string);
}

/** A closed log as the server wrote it, read with mariadb-binlog --raw into `dir` as shipping reads it. */
export async function rawLog(db: MariaDb, dir: string, file: string): Promise<Buffer> {
  await runTool(
    'mariadb-binlog',
    [
      '--no-defaults',
      '--read-from-remote-server',
      `--socket=${db.socket}`,
      '--user=root',
      '--raw',
      `--result-file=${dir}/`,
      file,
    ],
    { env: { ...process.env, MYSQL_PWD: db.rootPassword } },
  );
  return readFile(join(dir, file));
}

export function zstd(bytes: Buffer): Buffer {
  const compressed = spawnSync('zstd', ['-q', '-c'], { input: bytes });
  if (compressed.status !== 0) throw new Error(compressed.stderr.toString());
  return compressed.stdout;
}

/** The `hospital` target of HospitalDB, backed up as the backup user and restored (and replayed) as `restore`. */
export async function hospitalTarget(
  db: MariaDb,
  dir: string,
  restore: RestoreAccount,
  scratch: string,
  checks: { name: string; query: string; expect: { atLeast: number } }[] = [],
): Promise<TargetInput> {
  return {
    id: 'hospital',
    engine: 'mysql',
    database: 'HospitalDB',
    host: '127.0.0.1',
    port: db.port,
    user: db.user,
    passwordFile: await passwordFile(dir, 'backup', db.password),
    toolPath: '/usr/bin/mariadb-dump',
    clientPath: '/usr/bin/mariadb',
    restore: {
      user: restore.user,
      passwordFile: await passwordFile(dir, 'restore', restore.password),
      toolPath: '/usr/bin/mariadb',
      binlogToolPath: '/usr/bin/mariadb-binlog',
      scratchDatabases: [scratch],
      checks,
    },
  };
}
