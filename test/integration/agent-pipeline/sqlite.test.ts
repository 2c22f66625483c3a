// SQLite through the whole pipeline, into each storage backend: the sqlite3 shell's .dump of a file, restored into a new file and compared;
// and a file that is no database, which sqlite3 dumps as an error and a ROLLBACK with exit code 0.

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unavailable } from '../../helpers/provisioned.js';
import { runTool } from '../../helpers/stand-in-tools.js';
import { describeEachBackend } from '../../helpers/storage-backends.js';
import { backup, gunzipText, startStorage, type TestStorage } from './storage.js';

const FIXTURE = `
CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT NOT NULL, photo BLOB, notes TEXT, balance REAL);
CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, message TEXT);
CREATE TRIGGER patients_audit AFTER INSERT ON patients BEGIN
  INSERT INTO audit_log (message) VALUES ('patient ' || NEW.id);
END;
CREATE VIEW rich AS SELECT id, name FROM patients WHERE balance > 100;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
INSERT INTO patients (name, photo, notes, balance)
SELECT CASE i % 3 WHEN 0 THEN 'Zoë Ångström' WHEN 1 THEN '山田 太郎 🩺' ELSE 'O''Brien' END,
  CASE WHEN i % 4 = 0 THEN NULL ELSE randomblob(64) END,
  CASE WHEN i % 5 = 0 THEN NULL ELSE 'line one' || char(10) || 'line two' END,
  i * 1.5
FROM n;
`;

/** Every table's rows and the schema, as sqlite3 itself prints them. */
const CONTENT_QUERY = `
SELECT type || ':' || name FROM sqlite_schema ORDER BY name;
SELECT id, name, hex(photo), notes, balance FROM patients ORDER BY id;
SELECT * FROM audit_log ORDER BY id;
`;

describe.skipIf(unavailable('sqlite3') !== undefined)('sqlite engine', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sqlite-pipeline-'));
    await runTool('sqlite3', [join(dir, 'clinic.db')], { input: FIXTURE });
    await writeFile(join(dir, 'corrupt.db'), randomBytes(4096));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describeEachBackend((backend) => {
    let storage: TestStorage;
    beforeAll(async () => {
      storage = await startStorage(backend);
    });
    afterAll(async () => {
      await storage?.close();
    });
    it('backs up a database file, and the dump restores into a new file with the same content', async () => {
      const request = await storage.request('clinic_20240101.sql.gz');
      const outcome = await backup({
        request,
        target: { id: 'clinic', engine: 'sqlite', database: 'clinic', path: join(dir, 'clinic.db') },
      });
      expect(outcome).toMatchObject({ ok: true, exitCodes: { dump: 0 } });
      const sql = gunzipText(await storage.download(request.objectName));
      await runTool('sqlite3', [join(dir, `restored-${backend}.db`)], { input: sql });
      const original = await runTool('sqlite3', [join(dir, 'clinic.db')], { input: CONTENT_QUERY });
      expect(await runTool('sqlite3', [join(dir, `restored-${backend}.db`)], { input: CONTENT_QUERY })).toBe(
        original,
      );
      expect(original).toContain('trigger:patients_audit');
      expect(original).toContain('view:rich');
    });

    it('fails with DUMP_INCOMPLETE when the file is random bytes, which sqlite3 dumps as an error with exit 0', async () => {
      // What sqlite3 itself does with it, without the agent: exit 0, and the error only inside the dump.
      const dumped = await runTool('sqlite3', [
        '-init',
        '/dev/null',
        '-readonly',
        '-bail',
        join(dir, 'corrupt.db'),
        '.dump',
      ]);
      expect(dumped).toMatch(/ERROR: \(26\) file is not a database[^\n]*\nROLLBACK; -- due to errors\n$/);
      const request = await storage.request('corrupt_20240101.sql.gz');
      const outcome = await backup({
        request,
        target: { id: 'corrupt', engine: 'sqlite', database: 'corrupt', path: join(dir, 'corrupt.db') },
      });
      expect(outcome).toMatchObject({
        ok: false,
        errorCode: 'DUMP_INCOMPLETE',
        exitCodes: { dump: 0, count: 0, mark: 0, compress: 0 },
        bytesRead: Buffer.byteLength(dumped),
      });
      expect(outcome.errorMessage).toBe(
        'sqlite3 exited 0 but it wrote ERROR: (26) file is not a database into the dump and rolled it back',
      );
      expect(await storage.exists(request.objectName)).toBe(false);
      if (storage.cancelObservable) expect(await storage.sessionStatus(request.uploadUri)).toBe(499);
    });

    it('fails with DUMP_FAILED when the file does not exist', async () => {
      const request = await storage.request('missing_20240101.sql.gz');
      const outcome = await backup({
        request,
        target: { id: 'missing', engine: 'sqlite', database: 'missing', path: join(dir, 'missing.db') },
      });
      expect(outcome).toMatchObject({ ok: false, errorCode: 'DUMP_FAILED' });
      expect(outcome.stderrTail.join('\n')).toMatch(/sqlite3: /);
      expect(await storage.exists(request.objectName)).toBe(false);
    });
  });
});
