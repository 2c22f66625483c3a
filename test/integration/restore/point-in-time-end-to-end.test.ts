// Point-in-time recovery on the real path alone: the function's own runs (backup, binlogs, verify, restore at a
// moment, the drill, status) against the real agent, a MariaDB with binary logging and the emulator, encrypted as the
// default deployment is. Rows written before, during (a slow writer) and after the nightly backup, then inserts, an
// update and a delete between shipping runs; verify finds the chain whole within the target, status shows the
// recovery point, a restore to a moment typed in the configured zone holds exactly the rows of that moment, and the
// drill at a random moment passes and is shown. Then the server restarts with a new server_id on the same data:
// shipping goes on into its folder, verify alerts BINLOG_SERVER_CHANGED with the remedy, and after it the chain is
// whole again.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { createLocalSigner } from '../../../local/signer.js';
import { startTestAgent, type TestAgent } from '../../helpers/agent.js';
import { hospitalTarget, nextSecond, SLOW_WRITER_SCHEMA } from '../../helpers/binlog-logs.js';
import { type GmailStub, startGmailStub } from '../../helpers/gmail-stub.js';
import { type MariaDb, startMariaDb } from '../../helpers/mariadb.js';
import { mariadbDatabases, mariadbRestoreUser } from '../../helpers/restore-users.js';
import { runTool } from '../../helpers/stand-in-tools.js';
import {
  createBucket,
  deliveredSince,
  type FunctionHarness,
  OAUTH,
  startFunction,
} from '../functions/harness.js';
import { drillAtAMoment } from './drill-at-a-moment.js';

const BUCKET = 'pitr-end-to-end';
const SERVER_ID = 41;
/** The identity the server is restarted with. */
const NEW_SERVER_ID = 42;
const ZONE = 'America/Sao_Paulo';
const SCRATCH = 'HospitalDB_restore';
const RPO_MINUTES = 15;

let emulator: RunningEmulator;
let db: MariaDb;
let gmail: GmailStub;
let agent: TestAgent;
let fn: FunctionHarness;
let dir: string;
let backupMade: Date;
/** The rows of `w` once each change after the backup was made, and the second each change began in. */
const changes: { at: Date; rows: string }[] = [];
/** Every log the shipping runs shipped, oldest first. */
const shipped: string[] = [];

const rows = (database: string) => db.exec('SELECT id, note FROM w ORDER BY id;', database);
const local = (moment: Date) => DateTime.fromJSDate(moment, { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm:ss');

async function shipNow(): Promise<void> {
  const { status, report } = await fn.binlogs();
  expect(status, JSON.stringify(report)).toBe(200);
  expect(report.targets[0]?.outcome, JSON.stringify(report)).toBe('shipped');
  shipped.push(...(report.targets[0]?.binlogs?.shipped ?? []));
}

/** Makes `sql` in a second of its own, keeps the rows it leaves, then ships the logs closed so far. */
async function changeThenShip(sql: string): Promise<void> {
  const at = await nextSecond();
  await db.exec(sql, 'HospitalDB');
  changes.push({ at, rows: await rows('HospitalDB') });
  await shipNow();
}

/** The backup taken while a writer commits a row every few milliseconds, one transaction each. */
async function backupWhileWriting(): Promise<void> {
  const during = async () =>
    Number((await db.exec("SELECT COUNT(*) FROM w WHERE note = 'writer';", 'HospitalDB')).trim());
  const writing = db.exec('CALL writer();', 'HospitalDB');
  while ((await during()) < 20) await new Promise((resolve) => setTimeout(resolve, 20));
  const started = await during();
  const { status, report } = await fn.backup();
  expect(status, JSON.stringify(report)).toBe(200);
  // Rows kept coming while the backup ran: some are in its dump, the rest only in the logs after its position.
  expect(await during()).toBeGreaterThan(started);
  await db.exec('INSERT INTO halt VALUES (1);', 'HospitalDB');
  await writing;
  const [made] = await fn.storage
    .bucket(BUCKET)
    .file(report.targets[0]?.objectName as string)
    .getMetadata();
  backupMade = new Date(made.timeCreated as string);
}

beforeAll(async () => {
  const signer = createLocalSigner();
  [emulator, db, gmail] = await Promise.all([
    startEmulator({ signedUrlKeys: signer.trusted }),
    startMariaDb({ binlog: { serverId: SERVER_ID } }),
    startGmailStub({ oauth: OAUTH }),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'pitr-end-to-end-'));
  const identity = join(dir, 'agent.key');
  await runTool('age-keygen', ['-o', identity]);
  const recipient = (await runTool('age-keygen', ['-y', identity])).trim();
  await createBucket(emulator.url, BUCKET);
  // The grants agent/deploy/README.md gives the backup user for shipping.
  await db.exec(`GRANT REPLICATION SLAVE, BINLOG MONITOR, RELOAD ON *.* TO ${db.user}@'127.0.0.1';`);
  await db.exec('CREATE DATABASE HospitalDB;');
  await db.exec(SLOW_WRITER_SCHEMA, 'HospitalDB');
  await db.exec(
    "INSERT INTO w (note) VALUES ('before 1'); INSERT INTO w (note) VALUES ('before 2');",
    'HospitalDB',
  );
  const restore = await mariadbRestoreUser(db, [SCRATCH], 'restore', undefined, true);
  agent = await startTestAgent({
    targets: [await hospitalTarget(db, dir, restore, SCRATCH)],
    uploads: { origin: emulator.url, buckets: [BUCKET] },
    config: { encryption: 'required', recipients: [recipient], identityFiles: [identity] },
  });
  fn = await startFunction({
    emulator,
    gmail,
    bucket: BUCKET,
    key: agent.key,
    signer,
    targets: [
      {
        id: 'hospital',
        database: 'HospitalDB',
        engine: 'mysql',
        agentUrl: agent.url,
        encryption: 'required',
        pointInTime: true,
      },
    ],
    env: { BACKUP_TIME_ZONE: ZONE, BACKUP_RPO_MINUTES: String(RPO_MINUTES) },
    file: { pollBudgetSeconds: 120 },
  });
  await backupWhileWriting();
  await db.exec(
    "INSERT INTO w (note) VALUES ('after 1'); INSERT INTO w (note) VALUES ('after 2');",
    'HospitalDB',
  );
  await shipNow();
  await changeThenShip(
    "INSERT INTO w (note) VALUES ('inserted'); INSERT INTO w (note) VALUES ('inserted too');",
  );
  await changeThenShip("UPDATE w SET note = 'updated' WHERE note = 'before 1';");
  await changeThenShip("DELETE FROM w WHERE note IN ('before 2', 'after 1');");
  // The last change is then older than the last shipped log's end: a restore to that end holds it.
  await nextSecond();
  await shipNow();
}, 300_000);

afterAll(async () => {
  await fn?.close();
  await agent?.remove();
  await Promise.all([emulator?.close(), db?.stop(), gmail?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('point-in-time recovery end to end', () => {
  it('shipped every log encrypted, and verify finds the chain from the backup unbroken and within the target', async () => {
    expect(shipped.length).toBeGreaterThanOrEqual(5);
    const [objects] = await fn.storage.bucket(BUCKET).getFiles({ prefix: `binlog/HospitalDB/${SERVER_ID}/` });
    expect(objects.map((o) => o.name).sort()).toEqual(
      shipped.map((file) => `binlog/HospitalDB/${SERVER_ID}/${file}.gz.age`).sort(),
    );
    const { status, report } = await fn.verify();
    expect(status, JSON.stringify(report)).toBe(200);
    const [chain] = report.chains?.targets ?? [];
    expect(chain, JSON.stringify(report.chains)).toMatchObject({
      outcome: 'unbroken',
      chain: { logs: shipped.length, end: shipped.at(-1) },
    });
    expect(chain?.chain?.problem).toBeUndefined();
    expect(chain?.chain?.lagMinutes).toBeLessThanOrEqual(RPO_MINUTES);
  }, 120_000);

  it('status shows the recovery point: how far the chain reaches, against the target', async () => {
    const { report } = await fn.status({ database: 'HospitalDB' });
    const [target] = report.targets;
    expect(target?.recoveryPoint).toMatchObject({
      targetMinutes: RPO_MINUTES,
      backup: expect.stringMatching(/^HospitalDB_\d{8}/),
      chainEnd: shipped.at(-1),
    });
    const reachesTo = new Date(target?.recoveryPoint?.reachesTo as string);
    expect(reachesTo.getTime()).toBeGreaterThan((changes.at(-1) as { at: Date }).at.getTime());
    expect(target?.recoveryPoint?.lagMinutes).toBeLessThanOrEqual(RPO_MINUTES);
    expect(target?.problems).toEqual([]);
  });

  it.each([1, 2, 3])(
    'restores to the moment before change %i+1, typed in the configured zone: exactly the rows of that moment',
    async (step) => {
      const { report: health } = await fn.status({ database: 'HospitalDB' });
      const reach = new Date(health.targets[0]?.recoveryPoint?.reachesTo as string);
      const moment = step < changes.length ? (changes[step] as { at: Date }).at : reach;
      const before = changes[step - 1] as { at: Date; rows: string };
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
        // The last transaction applied is the change before the moment: committed in its second or after, before it.
        const last = new Date(target?.restore?.replay?.lastTransaction?.at as string);
        expect(last.getTime()).toBeGreaterThanOrEqual(before.at.getTime());
        expect(last.getTime()).toBeLessThan(moment.getTime());
        expect(target?.note).toContain(`to ${local(moment)} `);
        expect(target?.note).toContain(`the last transaction applied committed ${local(last)}`);
        expect(await rows(SCRATCH)).toBe(before.rows);
      } finally {
        await fn.restore({ database: 'HospitalDB', dropScratch: 'true' });
      }
      expect(await mariadbDatabases(db)).not.toContain(SCRATCH);
    },
    180_000,
  );

  it('drills at a random moment within the logs, passes, and status shows the last point-in-time drill', async () => {
    const moment = await drillAtAMoment(fn, 'HospitalDB');
    expect(moment.getTime()).toBeGreaterThan(backupMade.getTime());
    const { report: health } = await fn.status({ database: 'HospitalDB' });
    expect(moment.getTime()).toBeLessThanOrEqual(
      Date.parse(health.targets[0]?.recoveryPoint?.reachesTo as string),
    );
  }, 180_000);
});

describe('a server restarted with a new identity', () => {
  it('ships on into its new folder, verify alerts BINLOG_SERVER_CHANGED saying to take a full backup, and after one the chain is whole', async () => {
    await db.restart({ binlog: { serverId: NEW_SERVER_ID } });
    await db.exec("INSERT INTO w (note) VALUES ('new server');", 'HospitalDB');
    // A second after the new server's first row: only its logs hold that moment.
    const afterNewRow = await nextSecond();
    const { report: shipping } = await fn.binlogs();
    expect(shipping.targets[0], JSON.stringify(shipping)).toMatchObject({
      outcome: 'shipped',
      binlogs: { serverId: NEW_SERVER_ID },
    });
    const [objects] = await fn.storage
      .bucket(BUCKET)
      .getFiles({ prefix: `binlog/HospitalDB/${NEW_SERVER_ID}/` });
    expect(objects.length).toBeGreaterThanOrEqual(1);

    const sent = gmail.messages.length;
    const { report: broken } = await fn.verify();
    expect(broken.chains?.targets[0], JSON.stringify(broken.chains)).toMatchObject({
      outcome: 'broken',
      error: { code: 'BINLOG_SERVER_CHANGED' },
    });
    const [mail] = await deliveredSince(gmail, sent);
    expect(mail?.text).toContain('BINLOG_SERVER_CHANGED');
    expect(mail?.text).toContain('take a full backup now (db-backup run --force HospitalDB)');
    // A moment only the new server's logs hold is out of the old backup's reach …
    const { status: refused, report: why } = await fn.restore({
      database: 'HospitalDB',
      at: local(afterNewRow),
    });
    expect(refused, JSON.stringify(why)).toBe(409);
    expect(JSON.stringify(why)).toContain('PITR_UNREACHABLE');
    expect(JSON.stringify(why)).toContain('its binary logs after that backup reach only to');
    // … and says why, with what to do.
    expect(JSON.stringify(why)).toContain("the server's identity changed");
    expect(JSON.stringify(why)).toContain('db-backup run --force HospitalDB');

    // What the alert says to do: the CLI's --force is the run's force=true.
    const { status, report } = await fn.backup({ force: 'true' });
    expect(status, JSON.stringify(report)).toBe(200);
    await changeThenShip("INSERT INTO w (note) VALUES ('after the new backup');");
    const { report: whole } = await fn.verify();
    expect(whole.chains?.targets[0], JSON.stringify(whole.chains)).toMatchObject({
      outcome: 'unbroken',
      chain: { start: { serverId: NEW_SERVER_ID } },
    });
    const { report: health } = await fn.status({ database: 'HospitalDB' });
    expect(health.targets[0]?.problems).toEqual([]);
  }, 240_000);
});
