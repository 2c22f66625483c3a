// `npm start` end to end: the embedded default backs up the demo database encrypted with a key of its data folder,
// prints each backup's class and expiry and where the key is, restores it into a scratch database with its check, and
// gcloud and age read the object back; a table named with terminal escapes is printed as plain text.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupDate } from '../../../core/object-name.js';
import { startEmulator } from '../../../emulator/index.js';
import { controlsIn } from '../../helpers/controls.js';
import { gcloudFor, gcloudMissingReason } from '../../helpers/gcloud.js';
import { runTool } from '../../helpers/stand-in-tools.js';

const run = promisify(execFile);
const npmStart = (dataDir: string) =>
  run(process.execPath, ['--import', 'tsx', 'local/start.ts', '--data', dataDir], { timeout: 120_000 });

describe('npm start', () => {
  let dataDir: string;
  let firstRun: string;
  let dates: string[];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'local-stack-'));
    const before = backupDate(new Date());
    firstRun = (await npmStart(dataDir)).stdout;
    // A run that straddles midnight UTC may name either day.
    dates = [before, backupDate(new Date())];
  }, 180_000);

  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('prints a successful backup named demo_<today>.sql.gz.age with its size and crc32c, and where its key is', () => {
    const names = dates.map((date) => `gs://local-backups/demo_${date}.sql.gz.age\n`);
    expect(names.some((name) => firstRun.includes(`demo: succeeded  ${name}`))).toBe(true);
    expect(firstRun).toMatch(/\d+ bytes, crc32c [A-Za-z0-9+/]{6}==/);
    expect(firstRun).toContain(
      `    encrypted with age for the key in ${join(dataDir, 'age-identity.key')} (age -d -i opens it)`,
    );
  });

  it("prints the backup's class and retention end, and every backup kept in the bucket", () => {
    // The first backup in the bucket is its year's copy, kept 5 years from the start of the year (UTC).
    const year = Number(dates[0]?.slice(0, 4)) + 5;
    expect(firstRun).toContain(`    yearly copy, kept until ${year}-01-01 00:00 UTC`);
    expect(firstRun).toContain('  backups kept in gs://local-backups:');
    expect(firstRun).toMatch(
      new RegExp(
        `\\n {4}demo_\\d{8}\\.sql\\.gz\\.age {2}yearly {2}until ${year}-01-01 00:00 UTC {2}\\(newest good copy\\)\\n`,
      ),
    );
  });

  it('restores the demo backup into a scratch database, runs its check, prints the result and drops it', () => {
    expect(firstRun).toMatch(/demo: restored {2}demo_\d{8}\.sql\.gz\.age into demo_restore in \d+\.\d\d s/);
    expect(firstRun).toContain('table patients: 3 rows');
    expect(firstRun).toContain('table appointments: 500 rows');
    expect(firstRun).toContain('check "patients on record": 3 (must be >= 1) passed');
    expect(firstRun).toContain('scratch database demo_restore: dropped');
    expect(existsSync(join(dataDir, 'agent', 'scratch', 'demo_restore.sqlite'))).toBe(false);
  });

  it('reports the same day again as exists, leaving the object as it was', async () => {
    const secondRun = (await npmStart(dataDir)).stdout;
    expect(secondRun).toMatch(/demo: exists {2}gs:\/\/local-backups\/demo_\d{8}\.sql\.gz\.age/);
    const generation = (text: string) => /generation (\d+)/.exec(text)?.[1];
    expect(generation(secondRun)).toBe(generation(firstRun));
  }, 180_000);

  it.skipIf(gcloudMissingReason())(
    'leaves an object the README’s line reads back as the demo dump: gcloud storage cat | age -d -i | gunzip',
    async () => {
      const emulator = await startEmulator({ dataDir: join(dataDir, 'storage') });
      const gcloud = await gcloudFor(emulator.url);
      try {
        // The backups alone: the bucket also holds the demo target's status record under _status/.
        const listing = await gcloud.run(['storage', 'ls', 'gs://local-backups/demo_*']);
        expect(listing.code, listing.stderr).toBe(0);
        const object = listing.stdout.trim();
        expect(object).toMatch(/^gs:\/\/local-backups\/demo_\d{8}\.sql\.gz\.age$/);
        const line = 'set -o pipefail; gcloud storage cat "$OBJECT" | age -d -i "$KEY" | gunzip';
        const { stdout: sql } = await run('bash', ['-c', line], {
          env: {
            ...process.env,
            CLOUDSDK_CONFIG: gcloud.configDir,
            CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
            OBJECT: object,
            KEY: join(dataDir, 'age-identity.key'),
          },
          maxBuffer: 64 * 1024 * 1024,
        });
        expect(sql).toContain('CREATE TABLE patients');
        expect(sql).toContain('João Gonçalves');
        expect(sql.trimEnd().endsWith('COMMIT;')).toBe(true);
      } finally {
        await gcloud.dispose();
        await emulator.close();
      }
    },
    120_000,
  );
});

describe('npm start on a database holding a table named with terminal escapes', () => {
  it('prints the restore’s report as plain text, the name without its control characters', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'local-stack-escapes-'));
    try {
      // An OSC that retitles the window, ended by BEL, and a CSI that clears the screen.
      const evil = 'visits\u001b]0;owned\u0007\u001b[2J';
      await runTool('sqlite3', [join(dataDir, 'demo.sqlite')], {
        input: `CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO patients (name) VALUES ('a');
CREATE TABLE "${evil}" (a); INSERT INTO "${evil}" VALUES (1);`,
      });
      const { stdout, stderr } = await npmStart(dataDir);
      expect(stdout).toContain('table visits]0;owned[2J: 1 rows');
      expect(controlsIn(`${stdout}${stderr}`)).toEqual([]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
