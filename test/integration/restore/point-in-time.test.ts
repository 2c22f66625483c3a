// Restore to a moment through the real agent, a real MariaDB with binary logging and the emulator: a full backup
// taken while rows keep coming, then changes across several flushed logs, each log uploaded zstd-compressed as
// shipping stores it; restored to a moment between two changes, the scratch database holds exactly the rows up to
// that moment, row by row. A log whose bytes are not the expected ones is refused before anything of it is
// replayed; a log corrupt inside fails the restore mid-replay; either way the scratch database is dropped.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Bucket, Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_PATHS } from '../../../core/protocol.js';
import {
  type ReplayRequest,
  type RestoreRequestInput,
  type RestoreStatus,
  restoreAcceptedSchema,
  restoreStatusSchema,
} from '../../../core/restore-protocol.js';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { createLocalSigner } from '../../../local/signer.js';
import { startTestAgent, type TestAgent } from '../../helpers/agent.js';
import {
  binaryLogs,
  hospitalTarget,
  nextSecond,
  rawLog,
  SLOW_WRITER_SCHEMA,
  zstd,
} from '../../helpers/binlog-logs.js';
import { type MariaDb, startMariaDb } from '../../helpers/mariadb.js';
import { mariadbDatabases, mariadbRestoreUser } from '../../helpers/restore-users.js';
import { hashesOf } from '../../unit/functions/scripted-agent.js';

// The agent's tools inherit this zone: mariadb-binlog must read the moment as the instant it is, whatever the VM's.
process.env.TZ = 'Pacific/Auckland';

const BUCKET = 'point-in-time';
const SERVER_ID = 31;
const SCRATCH = 'HospitalDB_restore';
const BACKUP = 'nightly/HospitalDB_20261207.sql.gz';

let emulator: RunningEmulator;
let db: MariaDb;
let agent: TestAgent;
let bucket: Bucket;
let dir: string;
/** The backup's object, and its position in the binary log. */
let backup: Pick<RestoreRequestInput, 'objectName' | 'downloadUrl' | 'expected'>;
let start: { file: string; position: number };
/** The shipped logs from the backup's onwards, in order. */
let logs: ReplayRequest['logs'];
/** `w`'s rows after each step: [0] once the writer stopped, [k] after change k; and when each change began. */
const states: string[] = [];
const changedAt: Date[] = [];

const rows = async (database: string) => db.exec('SELECT id, note FROM w ORDER BY id;', database);

async function upload(name: string, bytes: Buffer) {
  await bucket.file(name).save(bytes, { resumable: false });
  const [downloadUrl] = await bucket
    .file(name)
    .getSignedUrl({ version: 'v4', action: 'read', expires: Date.now() + 3_600_000 });
  const { bytesUploaded: size, crc32c, md5 } = hashesOf(bytes);
  return { objectName: name, downloadUrl, expected: { size, crc32c: crc32c as string, md5: md5 as string } };
}

/** A closed log byte for byte as the server wrote it, zstd-compressed as shipping stores it. */
async function shippedLog(file: string, alter?: (raw: Buffer) => void): Promise<Buffer> {
  const raw = await rawLog(db, dir, file);
  alter?.(raw);
  return zstd(raw);
}

beforeAll(async () => {
  const signer = createLocalSigner();
  [emulator, db] = await Promise.all([
    startEmulator({ signedUrlKeys: signer.trusted }),
    startMariaDb({ binlog: { serverId: SERVER_ID } }),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'point-in-time-'));
  const storage = new Storage({ apiEndpoint: emulator.url, projectId: 'p', credentials: signer.credentials });
  [bucket] = await storage.createBucket(BUCKET);
  // Strict: a replay that logged the source's own GTIDs again (out of order) would fail.
  await db.exec('SET GLOBAL gtid_strict_mode = 1;');
  await db.exec('CREATE DATABASE HospitalDB; CREATE DATABASE Other; CREATE TABLE Other.o (id INT);');
  await db.exec(SLOW_WRITER_SCHEMA, 'HospitalDB');
  const restore = await mariadbRestoreUser(db, [SCRATCH], 'restore', undefined, true);
  agent = await startTestAgent({
    targets: [
      await hospitalTarget(db, dir, restore, SCRATCH, [
        { name: 'rows of w', query: 'SELECT COUNT(*) FROM w', expect: { atLeast: 1 } },
      ]),
    ],
    uploads: { origin: emulator.url, buckets: [BUCKET] },
  });

  // Rows before, during and after the full backup, one transaction each.
  const writing = db.exec('CALL writer();', 'HospitalDB');
  while (Number((await db.exec('SELECT COUNT(*) FROM w;', 'HospitalDB')).trim()) < 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const [uploadUri] = await bucket
    .file(BACKUP)
    .createResumableUpload({ preconditionOpts: { ifGenerationMatch: 0 } });
  const jobId = await agent.submit({
    runId: 'backup-1',
    targetId: 'hospital',
    objectName: BACKUP,
    uploadUri: uploadUri as string,
    compression: { algorithm: 'gzip' },
  });
  const job = await agent.waitForJob(jobId, 120_000);
  expect(job.state, JSON.stringify(job)).toBe('succeeded');
  start = { file: job.binlog?.file as string, position: job.binlog?.position as number };
  await new Promise((resolve) => setTimeout(resolve, 200));
  await db.exec('INSERT INTO halt VALUES (1);', 'HospitalDB');
  await writing;
  states.push(await rows('HospitalDB'));
  const [object] = await bucket.file(BACKUP).download();
  backup = await upload(BACKUP, object);

  // Changes in seconds of their own, across flushed logs; the other database's never reach the scratch one.
  const changes = [
    "INSERT INTO w (note) VALUES ('one'), ('two'); FLUSH BINARY LOGS;",
    "UPDATE w SET note = 'changed' WHERE id = 1; INSERT INTO Other.o VALUES (1); INSERT INTO w (note) VALUES ('three');",
    "START TRANSACTION; DELETE FROM w WHERE id = 2; INSERT INTO w (note) VALUES ('four'); COMMIT; FLUSH BINARY LOGS;",
    "INSERT INTO w (note) VALUES ('five'); DELETE FROM w WHERE note = 'one';",
  ];
  for (const change of changes) {
    changedAt.push(await nextSecond());
    await db.exec(change, 'HospitalDB');
    states.push(await rows('HospitalDB'));
  }
  changedAt.push(await nextSecond());
  await db.exec('FLUSH BINARY LOGS;');
  const files = await binaryLogs(db);
  // The closed logs from the backup's on (the newest is still open).
  const closed = files.slice(files.indexOf(start.file), -1);
  logs = [];
  for (const file of closed) {
    logs.push(await upload(`binlog/HospitalDB/${SERVER_ID}/${file}.zst`, await shippedLog(file)));
  }
}, 240_000);

afterAll(async () => {
  await agent?.remove();
  await Promise.all([emulator?.close(), db?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function restoreTo(stopAt: Date, replayed = logs, keep = true): Promise<RestoreStatus> {
  const body: RestoreRequestInput = {
    runId: `restore-${Date.now()}`,
    targetId: 'hospital',
    ...backup,
    keep,
    replay: {
      database: 'HospitalDB',
      startPosition: start.position,
      stopAt: stopAt.toISOString(),
      logs: replayed,
    },
  };
  const answer = await agent.request(AGENT_PATHS.restores, { method: 'POST', body: JSON.stringify(body) });
  expect(answer.status, answer.text).toBe(202);
  const { jobId } = restoreAcceptedSchema.parse(answer.json);
  for (;;) {
    const status = restoreStatusSchema.parse((await agent.request(AGENT_PATHS.restore(jobId))).json);
    if (['succeeded', 'failed', 'interrupted'].includes(status.state)) return status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function dropKept(): Promise<void> {
  const answer = await agent.request(AGENT_PATHS.scratchDrops, {
    method: 'POST',
    body: JSON.stringify({ runId: 'drop', targetId: 'hospital', scratchDatabase: SCRATCH }),
  });
  expect(answer.status, answer.text).toBe(200);
}

describe('a restore to a moment', () => {
  it('spans a backup taken while rows kept coming and several flushed logs', () => {
    expect(logs.length).toBeGreaterThanOrEqual(3);
    // Rows on both sides of the backup's snapshot: some are only in the logs.
    expect(states[0]?.split('\n').length).toBeGreaterThan(20);
  });

  it.each([0, 1, 2, 3, 4])(
    'holds exactly the rows up to a moment before change %i+1',
    async (step) => {
      const moment = changedAt[step] as Date;
      const status = await restoreTo(moment);
      try {
        expect(status, JSON.stringify(status)).toMatchObject({
          state: 'succeeded',
          scratch: 'kept',
          checks: [{ name: 'rows of w', ok: true }],
          replay: { stopAt: moment.toISOString(), logsReplayed: logs.length, logsTotal: logs.length },
        });
        expect(await rows(SCRATCH)).toBe(states[step]);
        // The last transaction applied is before the moment, and no later than the change it reflects.
        const last = status.replay?.lastTransaction;
        expect(last).toBeDefined();
        expect(Date.parse(last?.at as string)).toBeLessThan(moment.getTime());
        if (step > 0)
          expect(Date.parse(last?.at as string)).toBeGreaterThanOrEqual(
            changedAt[step - 1]?.getTime() as number,
          );
        expect(await db.exec('SHOW TABLES;', SCRATCH)).not.toContain('o\n');
      } finally {
        await dropKept();
      }
    },
    120_000,
  );

  it('refuses a log whose bytes are not the expected ones before replaying anything of it', async () => {
    const [first, ...rest] = logs;
    const other = logs[1] as (typeof logs)[number];
    const wrong = {
      ...(first as (typeof logs)[number]),
      expected: { ...first?.expected, md5: other.expected.md5 },
    };
    const status = await restoreTo(changedAt[4] as Date, [wrong as (typeof logs)[number], ...rest], false);
    expect(status, JSON.stringify(status)).toMatchObject({
      state: 'failed',
      errorCode: 'HASH_MISMATCH',
      scratch: 'dropped',
      replay: { logsReplayed: 0 },
    });
    expect(status.errorMessage).toContain(`binary log ${start.file}.zst (1 of ${logs.length})`);
    expect(status.replay?.lastTransaction).toBeUndefined();
    expect(await mariadbDatabases(db)).not.toContain(SCRATCH);
  }, 120_000);

  it('fails on a log corrupt inside, mid-replay, and drops the scratch database', async () => {
    const second = logs[1] as (typeof logs)[number];
    const file = second.objectName
      .split('/')
      .pop()
      ?.replace(/\.zst$/, '') as string;
    // One byte of an event changed: its CRC32 no longer holds. The object is stored as it is, so its hashes match.
    const corrupt = await upload(
      `corrupt/binlog/HospitalDB/${SERVER_ID}/${file}.zst`,
      await shippedLog(file, (raw) => {
        const at = Math.floor(raw.length / 2);
        raw[at] = (raw[at] as number) ^ 0xff;
      }),
    );
    const status = await restoreTo(
      changedAt[4] as Date,
      [logs[0], corrupt, ...logs.slice(2)] as typeof logs,
      false,
    );
    expect(status, JSON.stringify(status)).toMatchObject({
      state: 'failed',
      errorCode: 'REPLAY_FAILED',
      scratch: 'dropped',
      replay: { logsReplayed: 1 },
    });
    expect(status.errorMessage).toContain(`binary log ${file}.zst (2 of ${logs.length})`);
    expect(status.stderrTail.join('\n')).toMatch(/crc check failed/i);
    expect(await mariadbDatabases(db)).not.toContain(SCRATCH);
  }, 120_000);
});
