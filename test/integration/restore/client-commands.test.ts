// A dump's own commands never run on the VM. Signed restores of objects whose hashes are right but whose dump asks
// the restore tool to run a shell command — sqlite3's .system, psql's \!, the mysql client's system and \! — through
// the real agent, the emulator and real sqlite3, psql and mariadb: a line that opens with a command is refused
// (RESTORE_REFUSED, logged on the VM) before the tool reads it, and what the line filter cannot see (a command in
// mid-line, a SQL function that writes files) is refused by the tool's own safe mode. No marker file ever appears.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Bucket, Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_PATHS } from '../../../core/protocol.js';
import { type RestoreStatus, restoreStatusSchema } from '../../../core/restore-protocol.js';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { createLocalSigner } from '../../../local/signer.js';
import { startTestAgent, type TestAgent } from '../../helpers/agent.js';
import { type MariaDb, startMariaDb } from '../../helpers/mariadb.js';
import { type Postgres, startPostgres } from '../../helpers/postgres.js';
import { mariadbRestoreUser, passwordFile, postgresRestoreRole } from '../../helpers/restore-users.js';
import { hashesOf } from '../../unit/functions/scripted-agent.js';

const BUCKET = 'client-commands';

let emulator: RunningEmulator;
let mariadb: MariaDb;
let postgres: Postgres;
let agent: TestAgent;
let bucket: Bucket;
let dir: string;
let objects = 0;

beforeAll(async () => {
  const signer = createLocalSigner();
  [emulator, mariadb, postgres] = await Promise.all([
    startEmulator({ signedUrlKeys: signer.trusted }),
    startMariaDb(),
    startPostgres(),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'client-commands-'));
  const storage = new Storage({ apiEndpoint: emulator.url, projectId: 'p', credentials: signer.credentials });
  [bucket] = await storage.createBucket(BUCKET);
  const mysqlRestore = await mariadbRestoreUser(mariadb, ['shop_restore']);
  const pgRestore = await postgresRestoreRole(postgres);
  agent = await startTestAgent({
    targets: [
      {
        id: 'clinic',
        engine: 'sqlite',
        database: 'clinic',
        path: join(dir, 'clinic.db'),
        restore: { scratchDatabases: ['clinic_restore'], scratchDir: join(dir, 'scratch') },
      },
      {
        id: 'app',
        engine: 'postgres',
        database: 'app',
        port: postgres.port,
        user: postgres.user,
        restore: {
          user: pgRestore.user,
          passwordFile: await passwordFile(dir, 'pg-restore', pgRestore.password),
          scratchDatabases: ['app_restore'],
        },
      },
      {
        id: 'shop',
        engine: 'mysql',
        database: 'shop',
        port: mariadb.port,
        user: mariadb.user,
        restore: {
          user: mysqlRestore.user,
          passwordFile: await passwordFile(dir, 'mysql-restore', mysqlRestore.password),
          toolPath: '/usr/bin/mariadb',
          scratchDatabases: ['shop_restore'],
        },
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

/** Stores `dump` gzipped as a backup of `database`, hands it to the agent with its true hashes, and waits. */
async function restore(targetId: string, database: string, dump: string): Promise<RestoreStatus> {
  const name = `${database}_2026010${++objects}.sql.gz`;
  const bytes = gzipSync(dump);
  await bucket.file(name).save(bytes, { resumable: false });
  const [downloadUrl] = await bucket
    .file(name)
    .getSignedUrl({ version: 'v4', action: 'read', expires: Date.now() + 3_600_000 });
  const { bytesUploaded: size, crc32c, md5 } = hashesOf(bytes);
  const body = {
    runId: `run-${objects}`,
    targetId,
    objectName: name,
    downloadUrl,
    expected: { size, crc32c, md5 },
  };
  const accepted = await agent.request(AGENT_PATHS.restores, { method: 'POST', body: JSON.stringify(body) });
  expect(accepted.status, accepted.text).toBe(202);
  const { jobId } = accepted.json as { jobId: string };
  for (;;) {
    const status = restoreStatusSchema.parse((await agent.request(AGENT_PATHS.restore(jobId))).json);
    if (['succeeded', 'failed', 'interrupted'].includes(status.state)) return status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const marker = (name: string) => join(dir, `${name}.ran`);

/** The restore failed with `code`, its scratch database dropped, logged on the VM, and the command never ran. */
async function expectNothingRan(status: RestoreStatus, code: string, ran: string): Promise<void> {
  expect(status, JSON.stringify(status)).toMatchObject({
    state: 'failed',
    errorCode: code,
    scratch: 'dropped',
  });
  expect(existsSync(ran), `${ran} exists: the dump's command ran`).toBe(false);
  const logged = (await agent.logLines()).map((line) => JSON.parse(line));
  expect(logged.filter((entry) => entry.jobId === status.jobId).at(-1)).toMatchObject({
    event: 'job.restore-failed',
    level: 'error',
    errorCode: code,
  });
}

describe('a dump whose line opens with a client command', () => {
  it('sqlite3: .system is refused before the tool reads it', async () => {
    const ran = marker('sqlite-system');
    const dump = `BEGIN TRANSACTION;\nCREATE TABLE t(a);\n.system touch ${ran}\nINSERT INTO t VALUES(1);\nCOMMIT;\n`;
    const status = await restore('clinic', 'clinic', dump);
    await expectNothingRan(status, 'RESTORE_REFUSED', ran);
    expect(status.errorMessage).toMatch(/line 3 is a sqlite3 dot-command/);
  });

  it('psql: \\! is refused before the tool reads it', async () => {
    const ran = marker('psql-shell');
    const dump = `SET client_encoding = 'UTF8';\nCREATE TABLE t (a int);\n\\! touch ${ran}\n`;
    const status = await restore('app', 'app', dump);
    await expectNothingRan(status, 'RESTORE_REFUSED', ran);
    expect(status.errorMessage).toMatch(/line 3 is a psql meta-command/);
  });

  it.each([
    ['system', (ran: string) => `system touch ${ran}`],
    ['\\!', (ran: string) => `\\! touch ${ran}`],
  ])('mysql: %s is refused before the tool reads it', async (what, command) => {
    const ran = marker(`mysql-${what === 'system' ? 'system' : 'bang'}`);
    const status = await restore('shop', 'shop', `CREATE TABLE t (a int);\n${command(ran)}\n`);
    await expectNothingRan(status, 'RESTORE_REFUSED', ran);
    expect(status.errorMessage).toMatch(/line 2 is a mysql client command/);
  });
});

describe('what the line filter cannot see, the tool’s safe mode refuses', () => {
  it('sqlite3 -safe: a SQL function that writes a file', async () => {
    const ran = marker('sqlite-writefile');
    const status = await restore('clinic', 'clinic', `SELECT writefile('${ran}', 'x');\n`);
    await expectNothingRan(status, 'RESTORE_FAILED', ran);
    expect(status.stderrTail.join('\n')).toMatch(/cannot use the writefile\(\) function in safe mode/);
  });

  it('psql restricted: a meta-command in mid-line', async () => {
    const ran = marker('psql-midline');
    const status = await restore('app', 'app', `CREATE TABLE t (a int); \\! touch ${ran}\n`);
    await expectNothingRan(status, 'RESTORE_FAILED', ran);
    expect(status.stderrTail.join('\n')).toMatch(/backslash commands are restricted/);
  });

  it('mariadb --sandbox: a client command in mid-line', async () => {
    const ran = marker('mysql-midline');
    const status = await restore('shop', 'shop', `CREATE TABLE t (a int); \\! touch ${ran}\n`);
    await expectNothingRan(status, 'RESTORE_FAILED', ran);
    expect(status.stderrTail.join('\n')).toMatch(/sandbox mode|Unknown command/);
  });
});
