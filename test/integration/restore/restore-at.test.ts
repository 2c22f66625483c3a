// `restore --at` through the function, the real agent, a MariaDB with binary logging and the emulator: the function
// picks the newest proven backup made before the moment and the attested shipped logs from its position on, the
// agent replays them, and the scratch database holds the rows of that moment; the report names the moment and the
// last transaction applied. A moment still to come, one the logs do not reach, one before every backup, and text
// that is no moment are refused, saying why. The drill of a point-in-time database restores to a random moment
// within the logs' reach, and `status` shows it; a log planted without the function's attestation does not count. (The logs are stored here as shipping stores them: zstd, their facts in
// the metadata, attested by the function's key.)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShippedLogFacts } from '../../../core/binlog-protocol.js';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { logFactsMetadata } from '../../../functions/binlog/log-facts.js';
import { attest } from '../../../functions/object/attestation.js';
import { objectInfo } from '../../../functions/storage/objects.js';
import { createLocalSigner } from '../../../local/signer.js';
import { startTestAgent, type TestAgent } from '../../helpers/agent.js';
import { binaryLogs, hospitalTarget, nextSecond, rawLog, zstd } from '../../helpers/binlog-logs.js';
import { type GmailStub, startGmailStub } from '../../helpers/gmail-stub.js';
import { type MariaDb, startMariaDb } from '../../helpers/mariadb.js';
import { mariadbDatabases, mariadbRestoreUser } from '../../helpers/restore-users.js';
import { createBucket, type FunctionHarness, OAUTH, startFunction } from '../functions/harness.js';
import { drillAtAMoment } from './drill-at-a-moment.js';

const BUCKET = 'restore-at';
const SERVER_ID = 23;
const ZONE = 'Europe/Berlin';
const SCRATCH = 'HospitalDB_restore';

let emulator: RunningEmulator;
let db: MariaDb;
let gmail: GmailStub;
let agent: TestAgent;
let fn: FunctionHarness;
let dir: string;
/** `w`'s rows after each change, and when each change began (its second). */
const states: string[] = [];
const changedAt: Date[] = [];
let reach: Date;
let backupMade: Date;

const rows = (database: string) => db.exec('SELECT id, note FROM w ORDER BY id;', database);
const local = (moment: Date) => DateTime.fromJSDate(moment, { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm:ss');

/** A closed log's facts from its bytes: its first event's time, and its closing Rotate event's time and next log. */
function factsOf(file: string, raw: Buffer): ShippedLogFacts {
  let at = 4;
  let last = { time: 0, type: 0, start: 0, size: 0 };
  while (at < raw.length) {
    last = {
      time: raw.readUInt32LE(at),
      type: raw.readUInt8(at + 4),
      start: at,
      size: raw.readUInt32LE(at + 9),
    };
    at += last.size;
  }
  if (last.type !== 4) throw new Error(`${file} does not end in a Rotate event`);
  // Rotate body: the 8-byte position, the next file's name, then the event's CRC32.
  const next = raw.subarray(last.start + 19 + 8, last.start + last.size - 4).toString('latin1');
  return {
    file,
    size: raw.length,
    serverId: SERVER_ID,
    firstEventAt: new Date(raw.readUInt32LE(4) * 1000).toISOString(),
    lastEventAt: new Date(last.time * 1000).toISOString(),
    ending: 'rotate',
    next,
  };
}

/** Stores a closed log as shipping does: zstd, its facts in the metadata, attested with the function's key. */
async function ship(file: string): Promise<void> {
  const raw = await rawLog(db, dir, file);
  const object = fn.storage
    .bucket(BUCKET)
    .file(`${fn.config.prefix}binlog/HospitalDB/${SERVER_ID}/${file}.zst`);
  await object.save(zstd(raw), {
    resumable: false,
    metadata: { metadata: logFactsMetadata(factsOf(file, raw)) },
  });
  const [metadata] = await object.getMetadata();
  const info = objectInfo({ ...metadata, name: object.name });
  await object.setMetadata({ metadata: attest(BUCKET, info, fn.config.signingKey, new Date()) });
}

beforeAll(async () => {
  const signer = createLocalSigner();
  [emulator, db, gmail] = await Promise.all([
    startEmulator({ signedUrlKeys: signer.trusted }),
    startMariaDb({ binlog: { serverId: SERVER_ID } }),
    startGmailStub({ oauth: OAUTH }),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'restore-at-'));
  await createBucket(emulator.url, BUCKET);
  await db.exec('CREATE DATABASE HospitalDB;');
  await db.exec(
    "CREATE TABLE w (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(40) NOT NULL); INSERT INTO w (note) VALUES ('before');",
    'HospitalDB',
  );
  const restore = await mariadbRestoreUser(db, [SCRATCH], 'restore', undefined, true);
  agent = await startTestAgent({
    targets: [await hospitalTarget(db, dir, restore, SCRATCH)],
    uploads: { origin: emulator.url, buckets: [BUCKET] },
  });
  fn = await startFunction({
    emulator,
    gmail,
    bucket: BUCKET,
    key: agent.key,
    signer,
    targets: [
      { id: 'hospital', database: 'HospitalDB', engine: 'mysql', agentUrl: agent.url, pointInTime: true },
    ],
    env: { BACKUP_TIME_ZONE: ZONE },
    file: { pollBudgetSeconds: 120 },
  });
  const { status, report } = await fn.backup();
  expect(status, JSON.stringify(report)).toBe(200);
  const [made] = await fn.storage
    .bucket(BUCKET)
    .file(report.targets[0]?.objectName as string)
    .getMetadata();
  backupMade = new Date(made.timeCreated as string);
  states.push(await rows('HospitalDB'));
  const changes = [
    "INSERT INTO w (note) VALUES ('one'); FLUSH BINARY LOGS;",
    "UPDATE w SET note = 'changed' WHERE id = 1; FLUSH BINARY LOGS;",
    "INSERT INTO w (note) VALUES ('two');",
  ];
  for (const change of changes) {
    changedAt.push(await nextSecond());
    await db.exec(change, 'HospitalDB');
    states.push(await rows('HospitalDB'));
  }
  await nextSecond();
  await db.exec('FLUSH BINARY LOGS;');
  reach = new Date(Math.floor(Date.now() / 1000) * 1000);
  const files = await binaryLogs(db);
  for (const file of files.slice(0, -1)) await ship(file);
  // The open log, planted as if shipped, claiming to reach an hour ahead, but not attested: it must not count.
  const open = files.at(-1) as string;
  const planted = fn.storage
    .bucket(BUCKET)
    .file(`${fn.config.prefix}binlog/HospitalDB/${SERVER_ID}/${open}.zst`);
  const claim = {
    firstEventAt: reach.toISOString(),
    lastEventAt: new Date(Date.now() + 3_600_000).toISOString(),
  };
  const facts: ShippedLogFacts = { file: open, size: 4, serverId: SERVER_ID, ...claim, ending: 'stop' };
  await planted.save(Buffer.from('\xfebin', 'latin1'), {
    resumable: false,
    metadata: { metadata: logFactsMetadata(facts) },
  });
}, 240_000);

afterAll(async () => {
  await fn?.close();
  await agent?.remove();
  await Promise.all([emulator?.close(), db?.stop(), gmail?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('restore --at', () => {
  it.each([1, 3])(
    'restores the rows of the moment before change %i+1, and says what it reached',
    async (step) => {
      const moment = step < changedAt.length ? (changedAt[step] as Date) : reach;
      const { status, report } = await fn.restore({
        database: 'HospitalDB',
        at: local(moment),
        keep: 'true',
      });
      try {
        expect(status, JSON.stringify(report)).toBe(200);
        const [target] = report.targets;
        expect(target).toMatchObject({ outcome: 'restored', restore: { scratch: 'kept' } });
        expect(target?.restore?.replay).toMatchObject({ stopAt: moment.toISOString() });
        expect(target?.note).toContain(`to ${local(moment)} `);
        expect(target?.note).toMatch(/the last transaction applied committed \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
        expect(await rows(SCRATCH)).toBe(states[step]);
      } finally {
        await fn.restore({ database: 'HospitalDB', dropScratch: 'true' });
      }
    },
    120_000,
  );

  it.each([
    [
      'a moment still to come',
      () => local(new Date(Date.now() + 3_600_000)),
      400,
      'REQUEST_INVALID',
      'is still to come',
    ],
    [
      'a moment past the shipped logs',
      () => local(new Date(Date.now() - 1000)),
      409,
      'PITR_UNREACHABLE',
      'binary logs after that backup reach only to',
    ],
    [
      'a moment before every backup',
      () => '2020-01-01 00:00',
      409,
      'PITR_UNREACHABLE',
      'made before 2020-01-01 00:00:00',
    ],
    ['text that is no moment', () => 'yesterday noon', 400, 'REQUEST_INVALID', 'is not a moment'],
  ])(
    'refuses %s, saying why',
    async (_, at, code, errorCode, words) => {
      // A second later than the last shipped log's end: nothing covers it yet.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const { status, report } = await fn.restore({ database: 'HospitalDB', at: at() });
      expect(status, JSON.stringify(report)).toBe(code);
      expect(JSON.stringify(report)).toContain(errorCode);
      expect(JSON.stringify(report)).toContain(words);
      expect(await mariadbDatabases(db)).not.toContain(SCRATCH);
    },
    60_000,
  );

  it('names a break in the logs, and the command that mends it for this database, when it refuses a moment', async () => {
    // An attested log numbered far past the last shipped one: the chain now has a gap after its end.
    const object = fn.storage
      .bucket(BUCKET)
      .file(`${fn.config.prefix}binlog/HospitalDB/${SERVER_ID}/binlog.000099.zst`);
    const facts = { file: 'binlog.000099', size: 1, serverId: SERVER_ID, ending: 'stop' as const };
    const moments = { firstEventAt: new Date().toISOString(), lastEventAt: new Date().toISOString() };
    await object.save(zstd(Buffer.from('x')), {
      resumable: false,
      metadata: { metadata: logFactsMetadata({ ...facts, ...moments }) },
    });
    const [metadata] = await object.getMetadata();
    await object.setMetadata({
      metadata: attest(
        BUCKET,
        objectInfo({ ...metadata, name: object.name }),
        fn.config.signingKey,
        new Date(),
      ),
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const { status, report } = await fn.restore({
        database: 'HospitalDB',
        at: local(new Date(Date.now() - 1000)),
      });
      expect(status).toBe(409);
      const said = JSON.stringify(report);
      expect(said).toContain('was never shipped, though later ones were');
      expect(said).toContain('db-backup run --force HospitalDB');
      expect(said).not.toContain('<database>');
    } finally {
      await object.delete();
    }
  }, 60_000);

  it('drills a point-in-time database at a random moment within its logs, and status shows that drill', async () => {
    const moment = await drillAtAMoment(fn, 'HospitalDB');
    expect(moment.getTime()).toBeGreaterThan(backupMade.getTime());
    expect(moment.getTime()).toBeLessThanOrEqual(reach.getTime());
  }, 120_000);
});
