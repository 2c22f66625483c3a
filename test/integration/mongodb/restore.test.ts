// A MongoDB restore through the real agent, function and emulator, on FerretDB 1.x: the real mongodump backs up, the
// real mongorestore reads the verified object into a scratch database under another name (--nsFrom/--nsTo) as a
// restore user of its own, and the real mongosh lists, counts, checks and drops it; kept, it holds exactly the
// source's collections. A restore tool that fails and a check that fails are reported, alerted and leave nothing.
//
// FerretDB 1.24 refuses every index mongorestore 100.11 sends (each carries an `ns` option; MongoDB ignores it), so the
// source restored whole has only its `_id` indexes, and the source whose restore must fail is the same fixture with
// its secondary indexes: the documents go in, then the server refuses the indexes and mongorestore exits 1. FerretDB
// 1.x has no roles either, so the restore user here is not confined to the scratch databases as docs/restore.md's is.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { createLocalSigner } from '../../../local/signer.js';
import { startTestAgent, type TestAgent } from '../../helpers/agent.js';
import { type FerretDb, startFerretDb } from '../../helpers/ferretdb.js';
import {
  MONGO_FIXTURE_COLLECTIONS,
  seedMongoFixture,
  snapshot,
} from '../../helpers/fixtures/mongodb-fixture.js';
import { type GmailStub, startGmailStub } from '../../helpers/gmail-stub.js';
import { provisionedPath, unavailable } from '../../helpers/provisioned.js';
import { ferretdbRestoreUser, mongodbDatabases, passwordFile } from '../../helpers/restore-users.js';
import {
  createBucket,
  deliveredSince,
  type FunctionHarness,
  OAUTH,
  startFunction,
} from '../functions/harness.js';

const BUCKET = 'mongo-restores';
const SOURCE = 'HospitalDocs';
const INDEXED = 'HospitalDocsIndexed';
const CLINIC = 'ClinicDocs';
const SCRATCH = {
  documents: 'HospitalDocs_restore',
  failing: 'ClinicDocs_restore',
  indexed: 'Indexed_restore',
};
const DATABASE: Record<string, string> = { documents: SOURCE, failing: CLINIC, indexed: INDEXED };
const CHECK = {
  name: 'patients on record',
  query: 'db.patients.countDocuments({})',
  expect: { atLeast: 200 },
};

describe.skipIf(unavailable('ferretdb', 'mongo-tools', 'mongosh') !== undefined)('MongoDB restore', () => {
  let emulator: RunningEmulator;
  let ferret: FerretDb;
  let gmail: GmailStub;
  let agent: TestAgent;
  let fn: FunctionHarness;
  let dir: string;

  beforeAll(async () => {
    const signer = createLocalSigner();
    [emulator, ferret, gmail] = await Promise.all([
      startEmulator({ signedUrlKeys: signer.trusted }),
      startFerretDb(),
      startGmailStub({ oauth: OAUTH }),
    ]);
    await Promise.all([
      seedMongoFixture(ferret.client.db(SOURCE), { indexes: false }),
      seedMongoFixture(ferret.client.db(CLINIC), { indexes: false }),
      seedMongoFixture(ferret.client.db(INDEXED)),
    ]);
    dir = await mkdtemp(join(tmpdir(), 'mongo-restore-'));
    await createBucket(emulator.url, BUCKET);
    const account = await ferretdbRestoreUser(ferret);
    const backup = {
      engine: 'mongodb' as const,
      host: ferret.host,
      port: ferret.port,
      user: ferret.user,
      passwordFile: await passwordFile(dir, 'backup', ferret.password),
      toolPath: provisionedPath('mongo-tools', 'mongodump'),
    };
    const restore = {
      user: account.user,
      passwordFile: await passwordFile(dir, 'restore', account.password),
      toolPath: provisionedPath('mongo-tools', 'mongorestore'),
      shellPath: provisionedPath('mongosh', 'mongosh'),
    };
    agent = await startTestAgent({
      targets: [
        {
          id: 'documents',
          database: SOURCE,
          ...backup,
          restore: { ...restore, scratchDatabases: [SCRATCH.documents], checks: [CHECK] },
        },
        {
          id: 'failing',
          database: CLINIC,
          ...backup,
          restore: {
            ...restore,
            scratchDatabases: [SCRATCH.failing],
            checks: [{ ...CHECK, query: 'db.patients.aggregate([{ $noSuchStage: 1 }]).toArray().length' }],
          },
        },
        {
          id: 'indexed',
          database: INDEXED,
          ...backup,
          restore: { ...restore, scratchDatabases: [SCRATCH.indexed] },
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
        { id: 'documents', database: SOURCE, engine: 'mongodb', agentUrl: agent.url },
        { id: 'failing', database: CLINIC, engine: 'mongodb', agentUrl: agent.url },
        { id: 'indexed', database: INDEXED, engine: 'mongodb', agentUrl: agent.url },
      ],
      env: { BACKUP_PREFIX: '' },
      file: { pollBudgetSeconds: 120 },
    });
    const { status, report } = await fn.backup();
    expect(status, JSON.stringify(report)).toBe(200);
  }, 240_000);

  afterAll(async () => {
    await fn?.close();
    await agent?.remove();
    await Promise.all([emulator?.close(), ferret?.stop(), gmail?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const scratchLeft = async () =>
    (await mongodbDatabases(ferret)).filter((name) => Object.values(SCRATCH).includes(name));

  it('restores the newest verified backup into the scratch database, validates it, and drops it', async () => {
    const sent = gmail.messages.length;
    const { status, report } = await fn.restore({ database: 'documents' });
    expect(status, JSON.stringify(report)).toBe(200);
    const [target] = report.targets;
    expect(target).toMatchObject({
      targetId: 'documents',
      outcome: 'restored',
      restore: { scratchDatabase: SCRATCH.documents, scratch: 'dropped' },
    });
    const tables = target?.restore?.tables ?? [];
    expect(tables.map((table) => table.name).sort()).toEqual(MONGO_FIXTURE_COLLECTIONS);
    expect(tables.find((table) => table.name === 'patients')?.rows).toBe(200);
    expect(target?.restore?.checks).toEqual([
      { name: CHECK.name, ok: true, value: '200', expected: '>= 200' },
    ]);
    expect(await scratchLeft()).toEqual([]);
    expect(gmail.messages.length).toBe(sent);
  });

  it('keeps the scratch database when asked, and it holds exactly the source’s collections', async () => {
    const { status, report } = await fn.restore({ database: 'documents', keep: 'true' });
    expect(status, JSON.stringify(report)).toBe(200);
    expect(report.targets[0]).toMatchObject({ outcome: 'restored', restore: { scratch: 'kept' } });
    try {
      expect(await scratchLeft()).toEqual([SCRATCH.documents]);
      const [source, copy] = await Promise.all([
        snapshot(ferret.client.db(SOURCE)),
        snapshot(ferret.client.db(SCRATCH.documents)),
      ]);
      expect(Object.keys(copy)).toEqual(MONGO_FIXTURE_COLLECTIONS);
      for (const name of MONGO_FIXTURE_COLLECTIONS) {
        expect(copy[name]?.documents.length, name).toBe(source[name]?.documents.length);
        expect(copy[name], name).toEqual(source[name]);
      }
    } finally {
      await ferret.client.db(SCRATCH.documents).dropDatabase();
    }
  });

  /** Restores `targetId`, expecting a failure with `code`: reported, alerted, and no scratch database left. */
  async function expectFailure(targetId: string, code: string) {
    const sent = gmail.messages.length;
    const { status, report } = await fn.restore({ database: targetId });
    expect(status, JSON.stringify(report)).toBe(500);
    const [target] = report.targets;
    expect(target, JSON.stringify(target)).toMatchObject({ outcome: 'failed', error: { code } });
    expect(target?.restore?.scratch).toBe('dropped');
    expect(fn.logs.filter((line) => line.event === 'restore.failed').at(-1)).toMatchObject({
      alerting: true,
      errorCode: code,
    });
    const [mail] = await deliveredSince(gmail, sent);
    expect(mail?.subject).toMatch(new RegExp(`^Restore failed: ${DATABASE[targetId]} \\(`));
    expect(mail?.text).toContain(`error ${code}`);
    expect(await scratchLeft()).toEqual([]);
    return target;
  }

  it('reports mongorestore failing half-way (the server refuses an index), with its own words, and drops what went in', async () => {
    const target = await expectFailure('indexed', 'RESTORE_FAILED');
    expect(target?.error?.message).toMatch(/mongorestore exited with code 1/);
    const stderr = target?.error?.stderrTail?.join('\n');
    expect(stderr).toMatch(/724 document\(s\) restored successfully/);
    expect(stderr).toMatch(/createIndex error: \(BadValue\) Index option "ns" is unknown/);
  });

  it('refuses a scratch database that exists already with SCRATCH_EXISTS, and leaves it as it was', async () => {
    const existing = ferret.client.db(SCRATCH.documents).collection('notes');
    await existing.insertOne({ note: 'the admin’s own' });
    try {
      const { status, report } = await fn.restore({ database: 'documents' });
      expect(status, JSON.stringify(report)).toBe(500);
      expect(report.targets[0], JSON.stringify(report.targets[0]?.error)).toMatchObject({
        outcome: 'failed',
        error: { code: 'SCRATCH_EXISTS' },
        restore: { scratch: 'none' },
      });
      expect(await existing.find({}, { projection: { _id: 0 } }).toArray()).toEqual([
        { note: 'the admin’s own' },
      ]);
    } finally {
      await ferret.client.db(SCRATCH.documents).dropDatabase();
    }
  });

  it('reports a check whose query the server refuses, naming the check', async () => {
    const target = await expectFailure('failing', 'VALIDATION_FAILED');
    expect(target?.restore?.checks).toEqual([
      expect.objectContaining({ name: CHECK.name, ok: false, error: expect.stringMatching(/noSuchStage/) }),
    ]);
    expect(target?.restore?.tables.length).toBeGreaterThan(0);
  });
});
