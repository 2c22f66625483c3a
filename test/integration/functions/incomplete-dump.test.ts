// The function with a real agent and the real sqlite3 on each storage backend: a database file overwritten by random
// bytes, which sqlite3 dumps with exit code 0, fails its target as DUMP_INCOMPLETE — logged as an alerting event and
// mailed — and a forced run never puts such a dump in place of the day's good copy.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadObject, startTestAgent, type TestAgent } from '../../helpers/agent.js';
import { type GmailStub, startGmailStub } from '../../helpers/gmail-stub.js';
import { unavailable } from '../../helpers/provisioned.js';
import {
  describeEachBackend,
  type StorageBackend,
  startStorageBackend,
} from '../../helpers/storage-backends.js';
import {
  createBucket,
  deliveredSince,
  type FunctionHarness,
  OAUTH,
  outcomes,
  startFunction,
} from './harness.js';

const BUCKET = 'fn-incomplete';
const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');

describeEachBackend((backend) =>
  describe.skipIf(unavailable('sqlite3') !== undefined)('a dump without its completion mark', () => {
    let storage: StorageBackend;
    let gmail: GmailStub;
    let agent: TestAgent;
    let dir: string;
    let harness: FunctionHarness;
    const database = () => join(dir, 'clinic.db');

    beforeAll(async () => {
      [storage, gmail] = await Promise.all([startStorageBackend(backend), startGmailStub({ oauth: OAUTH })]);
      await createBucket(storage.url, BUCKET);
      dir = await mkdtemp(join(tmpdir(), 'fn-incomplete-'));
      agent = await startTestAgent({
        targets: [{ id: 'clinic', engine: 'sqlite', database: 'clinic', path: database() }],
        uploads: { origin: storage.url, buckets: [BUCKET] },
      });
      harness = await startFunction({
        emulator: storage,
        gmail,
        bucket: BUCKET,
        key: agent.key,
        targets: [{ id: 'clinic', database: 'clinic', engine: 'sqlite', agentUrl: agent.url }],
      });
    });
    afterAll(async () => {
      await harness?.close();
      await agent?.remove();
      await Promise.all([storage?.close(), gmail?.close()]);
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('fails the target, alerts, and a forced run leaves the good copy live and alone', async () => {
      execFileSync('sqlite3', [
        database(),
        "CREATE TABLE patients (name TEXT); INSERT INTO patients VALUES ('Ana');",
      ]);
      const good = await harness.backup();
      expect(outcomes(good.report)).toEqual({ clinic: 'succeeded' });
      const name = `clinic_${today}.sql.gz`;
      const file = harness.storage.bucket(BUCKET).file(name);
      const [before] = await file.getMetadata();

      // The file overwritten by random bytes: sqlite3 .dump writes an error and a ROLLBACK, and exits 0.
      await writeFile(database(), randomBytes(4096));
      const sent = gmail.messages.length;
      const forced = await harness.backup({ force: 'true' });
      expect(forced.status).toBe(500);
      expect(outcomes(forced.report)).toEqual({ clinic: 'failed' });
      expect(forced.report.targets[0]?.error).toMatchObject({
        code: 'DUMP_INCOMPLETE',
        message: expect.stringContaining('file is not a database'),
      });
      expect(harness.logs).toContainEqual(
        expect.objectContaining({ event: 'backup.failed', errorCode: 'DUMP_INCOMPLETE', alerting: true }),
      );
      const mails = await deliveredSince(gmail, sent);
      expect(mails).toHaveLength(1);
      expect(mails[0]?.subject).toMatch(/^Backup failed: clinic /);
      expect(mails[0]?.text).toContain('DUMP_INCOMPLETE');

      // The day's good copy is still the only generation, and still the live one.
      const [versions] = await harness.storage.bucket(BUCKET).getFiles({ prefix: name, versions: true });
      expect(versions.map((version) => String(version.metadata.generation))).toEqual([
        String(before.generation),
      ]);
      const [after] = await file.getMetadata();
      expect(after.generation).toBe(before.generation);
      const bytes = await downloadObject(storage.url, BUCKET, name);
      expect(gunzipSync(bytes ?? Buffer.alloc(0)).toString()).toMatch(
        /INSERT INTO patients VALUES\('Ana'\);\nCOMMIT;\n$/,
      );
    });
  }),
);
