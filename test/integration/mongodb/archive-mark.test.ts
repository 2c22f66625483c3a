// The real mongodump's archive through the agent's pipeline, judged by its ends: a whole one (several collections,
// one of them empty), the archive of a database without collections, and one cut short by a tool that exits 0.
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetInput } from '../../../agent/engines/index.js';
import { type FerretDb, startFerretDb } from '../../helpers/ferretdb.js';
import { readArchivePrelude } from '../../helpers/mongo-archive.js';
import { provisionedPath, unavailable } from '../../helpers/provisioned.js';
import { createStandIns, type StandIns } from '../../helpers/stand-in-tools.js';
import { backup, startStorage, type TestStorage } from '../agent-pipeline/storage.js';

describe.skipIf(unavailable('ferretdb', 'mongo-tools') !== undefined)(
  'mongodump archives and their end',
  () => {
    let ferret: FerretDb;
    let storage: TestStorage;
    let standIns: StandIns;
    let target: (database: string, toolPath?: string) => TargetInput;

    beforeAll(async () => {
      [ferret, storage, standIns] = await Promise.all([
        startFerretDb(),
        startStorage('emulator'),
        createStandIns(),
      ]);
      const db = ferret.client.db('Clinic');
      await db
        .collection<{ _id: number }>('patients')
        .insertMany(Array.from({ length: 3000 }, (_, i) => ({ _id: i, name: `p${i}` })));
      await db
        .collection<{ _id: number }>('visits')
        .insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i, at: new Date() })));
      await db.createCollection('empty');
      target = (database, toolPath = provisionedPath('mongo-tools', 'mongodump')) => ({
        id: database,
        engine: 'mongodb',
        database,
        host: ferret.host,
        port: ferret.port,
        user: ferret.user,
        authDatabase: 'admin',
        toolPath,
      });
    });
    afterAll(async () => {
      await Promise.all([ferret?.stop(), storage?.close(), standIns?.remove()]);
    });

    it('accepts a whole archive, every namespace it announced closed', async () => {
      const request = await storage.request('Clinic_20240101.archive.gz');
      const outcome = await backup({ request, target: target('Clinic'), password: ferret.password });
      expect(outcome, JSON.stringify(outcome)).toMatchObject({ ok: true });
      const { collections } = readArchivePrelude(gunzipSync(await storage.download(request.objectName)));
      expect(collections.map((c) => c.collection).sort()).toEqual(['empty', 'patients', 'visits']);
    });

    it('accepts the archive of a database without collections', async () => {
      const request = await storage.request('Nothing_20240101.archive.gz');
      const outcome = await backup({ request, target: target('Nothing'), password: ferret.password });
      expect(outcome, JSON.stringify(outcome)).toMatchObject({ ok: true });
    });

    it('refuses an archive cut short by a tool that exits 0 (DUMP_INCOMPLETE), leaving no object', async () => {
      const cut = await standIns.script(
        'mongodump-cut',
        `'${provisionedPath('mongo-tools', 'mongodump')}' "$@" | head -c 40000`,
      );
      const request = await storage.request('Clinic_cut_20240101.archive.gz');
      const outcome = await backup({ request, target: target('Clinic', cut), password: ferret.password });
      expect(outcome).toMatchObject({ ok: false, errorCode: 'DUMP_INCOMPLETE', bytesRead: 40000 });
      expect(outcome.errorMessage).toBe(
        "mongodump-cut exited 0 but its archive does not end with a namespace's closing (EOF) block",
      );
      expect(await storage.exists(request.objectName)).toBe(false);
    });
  },
);
