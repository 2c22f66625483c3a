// MongoDB for real: FerretDB 1.x as the server and the real mongodump, run by the agent for the backup function,
// into each storage backend — over host and port, a connection string with a read preference, and TLS; the object
// restored with the real mongorestore into a database of another name and compared with the source collection by
// collection: documents with their exact BSON types, and indexes. FerretDB has no replica set, so --oplog,
// secondaries and mongodb+srv seed lists are tested by the command they build (test/unit/agent/engines/).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadObject, startTestAgent, type TestAgent } from '../../helpers/agent.js';
import { type FerretDb, startFerretDb } from '../../helpers/ferretdb.js';
import {
  MONGO_FIXTURE_COLLECTIONS,
  seedMongoFixture,
  snapshot,
} from '../../helpers/fixtures/mongodb-fixture.js';
import { type GmailStub, startGmailStub } from '../../helpers/gmail-stub.js';
import { readArchivePrelude } from '../../helpers/mongo-archive.js';
import { provisionedPath, unavailable } from '../../helpers/provisioned.js';
import { runTool } from '../../helpers/stand-in-tools.js';
import {
  describeEachBackend,
  type StorageBackend,
  startStorageBackend,
} from '../../helpers/storage-backends.js';
import { createBucket, type FunctionHarness, OAUTH, startFunction } from '../functions/harness.js';

const BUCKET = 'mongo-backups';
const SOURCE = 'HospitalDocs';
const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');

describe.skipIf(unavailable('ferretdb', 'mongo-tools') !== undefined)('MongoDB round trip', () => {
  let ferret: FerretDb;
  let gmail: GmailStub;
  let dir: string;
  let passwordFile: string;
  let restoreConfig: string;

  beforeAll(async () => {
    [ferret, gmail] = await Promise.all([startFerretDb(), startGmailStub({ oauth: OAUTH })]);
    await seedMongoFixture(ferret.client.db(SOURCE));
    dir = await mkdtemp(join(tmpdir(), 'mongo-round-trip-'));
    passwordFile = join(dir, 'mongo.password');
    await writeFile(passwordFile, `${ferret.password}\n`, { mode: 0o600 });
    // mongorestore reads the password from a --config file too.
    restoreConfig = join(dir, 'restore.yaml');
    await writeFile(restoreConfig, `password: ${JSON.stringify(ferret.password)}\n`, { mode: 0o600 });
  });
  afterAll(async () => {
    await Promise.all([ferret?.stop(), gmail?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** mongorestore of the archive into `target`; see below for why the indexes are left to the test. */
  async function restore(archive: Buffer, target: string): Promise<void> {
    await runTool(
      provisionedPath('mongo-tools', 'mongorestore'),
      [
        `--host=${ferret.host}`,
        `--port=${ferret.port}`,
        `--username=${ferret.user}`,
        '--authenticationDatabase=admin',
        `--config=${restoreConfig}`,
        '--archive',
        `--nsFrom=${SOURCE}.*`,
        `--nsTo=${target}.*`,
        // mongorestore 100.11 sends each index with an `ns` option, which FerretDB 1.24 refuses ("Index option
        // \"ns\" is unknown"; MongoDB ignores it), so the indexes are created from the archive below.
        '--noIndexRestore',
      ],
      { input: archive },
    );
  }

  describeEachBackend((backend) => {
    let storage: StorageBackend;
    let agent: TestAgent;
    let harness: FunctionHarness;
    let uriHarness: FunctionHarness;
    let tlsHarness: FunctionHarness;

    beforeAll(async () => {
      storage = await startStorageBackend(backend);
      await createBucket(storage.url, BUCKET);
      // The agent takes upload sessions on this storage only.
      const common = {
        engine: 'mongodb' as const,
        database: SOURCE,
        user: ferret.user,
        authDatabase: 'admin',
        passwordFile,
        toolPath: provisionedPath('mongo-tools', 'mongodump'),
      };
      agent = await startTestAgent({
        targets: [
          { id: 'documents', ...common, host: ferret.host, port: ferret.port },
          // The connection-string form with a read preference, as for a replica set (FerretDB is one server).
          {
            id: 'documents-uri',
            ...common,
            uri: `mongodb://${ferret.host}:${ferret.port}/?directConnection=true&appName=db-backup`,
            readPreference: 'primaryPreferred',
          },
          {
            id: 'documents-tls',
            ...common,
            host: ferret.host,
            port: ferret.tls.port,
            tls: { caFile: ferret.tls.caFile },
          },
        ],
        uploads: { origin: storage.url, buckets: [BUCKET] },
      });
      const fn = (id: string, prefix: string) =>
        startFunction({
          emulator: storage,
          gmail,
          bucket: BUCKET,
          key: agent.key,
          targets: [{ id, database: SOURCE, engine: 'mongodb', agentUrl: agent.url }],
          env: { BACKUP_PREFIX: prefix },
        });
      [harness, uriHarness, tlsHarness] = await Promise.all([
        fn('documents', ''),
        fn('documents-uri', 'uri/'),
        fn('documents-tls', 'tls/'),
      ]);
    });
    afterAll(async () => {
      await Promise.all([harness?.close(), uriHarness?.close(), tlsHarness?.close()]);
      await agent?.remove();
      await storage?.close();
    });

    /** Backs up through `fn`, restores the object into `target` and compares it with the source. */
    async function roundTrip(fn: FunctionHarness, objectName: string, target: string): Promise<void> {
      const { status, report } = await fn.backup();
      expect(status, JSON.stringify(report)).toBe(200);
      expect(report.targets[0]).toMatchObject({ outcome: 'succeeded', objectName });

      const archive = gunzipSync((await downloadObject(storage.url, BUCKET, objectName)) ?? Buffer.alloc(0));
      const prelude = readArchivePrelude(archive);
      expect(prelude.collections.map((c) => `${c.db}.${c.collection}`).sort()).toEqual(
        MONGO_FIXTURE_COLLECTIONS.map((name) => `${SOURCE}.${name}`),
      );

      await restore(archive, target);
      const restored = ferret.client.db(target);
      for (const { collection, metadata } of prelude.collections) {
        const indexes = (metadata.indexes ?? [])
          .filter((index) => index.name !== '_id_')
          .map(({ v: _v, ns: _ns, key, ...options }) => ({ key: key as Record<string, 1 | -1>, ...options }));
        if (indexes.length) await restored.collection(collection).createIndexes(indexes);
      }

      const [source, copy] = await Promise.all([snapshot(ferret.client.db(SOURCE)), snapshot(restored)]);
      expect(Object.keys(copy)).toEqual(MONGO_FIXTURE_COLLECTIONS);
      for (const name of MONGO_FIXTURE_COLLECTIONS) {
        expect(copy[name]?.documents.length, name).toBe(source[name]?.documents.length);
        expect(copy[name], name).toEqual(source[name]);
      }
      expect(source.patients?.indexes.map((index) => index.name)).toEqual([
        '_id_',
        'city_birth',
        'name_unique',
      ]);
    }

    const suffix = backend.replaceAll('-', '_');

    it('backs up through the agent and the function; mongorestore restores it, identical collection by collection', async () => {
      await roundTrip(harness, `${SOURCE}_${today}.archive.gz`, `Restored_${suffix}`);
    });

    it('connects through a connection string with a read preference, and the copy restores the same', async () => {
      await roundTrip(uriHarness, `uri/${SOURCE}_${today}.archive.gz`, `RestoredUri_${suffix}`);
    });

    it('connects over TLS, trusting the CA it is given, and the copy restores the same', async () => {
      await roundTrip(tlsHarness, `tls/${SOURCE}_${today}.archive.gz`, `RestoredTls_${suffix}`);
    });
  });
});
