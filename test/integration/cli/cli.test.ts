// `db-backup` as the admin runs it: against a running local stack (as `npm start -- --watch` leaves it), its tables,
// progress, --json and exit codes, and no terminal control from a table's name or an object's metadata; --help on
// every command; and the deployed path's identity token.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/run-cli.js';
import type { ListReport } from '../../../functions/api.js';
import { recordEntry } from '../../../functions/status/status-record.js';
import { localSigningKey } from '../../../local/signing-key.js';
import { type LocalStack, startLocalStack } from '../../../local/stack.js';
import { cli } from '../../helpers/cli-process.js';
import { controlsIn } from '../../helpers/controls.js';
import { runTool } from '../../helpers/stand-in-tools.js';

/** A table name that, printed raw, retitles the terminal window (OSC … BEL) and clears the screen (CSI 2J). */
const EVIL_TABLE = 'visits\u001b]0;owned\u0007\u001b[2J';

let dir: string;
let stack: LocalStack;
const local = (...args: string[]) => cli(['--local', '--data', dir, ...args]);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-'));
  // Running in this process, it leaves stack.json for the CLI to find, as `npm start -- --watch` does.
  stack = await startLocalStack(dir);
  // The production database holds a table whose name is a terminal escape: it reaches the dump, the restore's report.
  await runTool('sqlite3', [stack.paths.demoDatabase], {
    input: `CREATE TABLE "${EVIL_TABLE}" (a); INSERT INTO "${EVIL_TABLE}" VALUES (1);`,
  });
}, 120_000);

afterAll(async () => {
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('db-backup against the local stack', () => {
  it('runs a backup, showing its progress while it waits, and prints the run as a table', async () => {
    const run = await local('run');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^backup [0-9a-f-]{36} \(\d{4}-\d{2}-\d{2}\): ok$/m);
    expect(run.stdout).toMatch(/^demo\s+succeeded\s+demo_\d{8}\.sql\.gz\.age\s+\d+\.\d KiB/m);
    expect(run.stderr).toMatch(/^demo: succeeded, [\d.]+ KiB read, [\d.]+ KiB uploaded, 0:\d\d elapsed$/m);
  });

  it('restores into the scratch database and prints the tables, the check and the recovery time', async () => {
    const run = await local('restore', 'demo');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^demo\s+restored\s+demo_\d{8}\.sql\.gz/m);
    expect(run.stdout).toMatch(/into demo_restore \(dropped\), recovery time 0:\d\d/);
    expect(run.stdout).toContain('table appointments: 500 rows');
    expect(run.stdout).toContain('check patients on record: 3 (must be >= 1)  passed');
    expect(run.stderr).toMatch(
      /^demo: (restoring|validating|dropping|succeeded), .* restored, 0:\d\d elapsed$/m,
    );
  });

  it('drills, then lists the backup as verified and drilled, and says all is well', async () => {
    expect((await local('restore', '--drill', '--quiet')).code).toBe(0);
    const list = await local('list', '--json');
    expect(list.code, list.stderr).toBe(0);
    const [target] = (JSON.parse(list.stdout) as ListReport).targets;
    expect(target?.backups[0]).toMatchObject({
      storageClass: 'STANDARD',
      retentionClass: 'yearly',
      drill: { state: 'passed' },
    });
    expect(target?.backups[0]?.expiresAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(target?.backups[0]?.verifiedAt).toBeTruthy();
    const table = await local('list', 'demo');
    expect(table.stdout).toMatch(
      /^\d{4}-\d{2}-\d{2}\s+demo_\d{8}\.sql\.gz\.age\s+[\d.]+ KiB\s+yearly \/ STANDARD\s+\d{4}-\d{2}-\d{2} \d\d:\d\d UTC\s+yes\s+passed \d{4}-/m,
    );
    const status = await local('status');
    expect(status.code, status.stdout).toBe(0);
    expect(status.stdout).toMatch(
      /^demo\s+succeeded [\d.]+ h ago\s+\d{4}-\d{2}-\d{2} \([\d.]+ h ago\)\s+restored [\d.]+ h ago\s+never\s+restored [\d.]+ h ago$/m,
    );
    expect(status.stdout).toContain('No problems.');
  });

  it('prints a table named with terminal escapes, and metadata holding them, as plain text', async () => {
    const restore = await local('restore', 'demo');
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toContain('table visits]0;owned[2J: 1 rows');
    // Metadata whoever may write the bucket's can plant (a drill's failure on the backup), and a tool's words the
    // function recorded (a restore's failure in the status record).
    const bucket = stack.storage.bucket(stack.bucket);
    const [[backup]] = await bucket.getFiles({ prefix: 'demo_' });
    await backup?.setMetadata({
      metadata: {
        drillState: 'failed',
        drillFailed: 'RESTORE_FAILED: \u001b]0;owned\u0007\u001b[2Jgone\u009b',
      },
    });
    // A restore tool's own words reach the record through the function, which signs them: signed here as it would.
    const { privateKey, publicKey } = await localSigningKey(join(dir, 'function', 'signing-key.pem'));
    const keys = { signing: { id: 'local', privateKey }, trusted: new Map([['local', publicKey]]) };
    await recordEntry(bucket, '', 'demo', keys, 'restore', {
      at: new Date().toISOString(),
      runId: 'r',
      outcome: 'failed',
      by: 'restore',
      error: { code: 'RESTORE_FAILED', message: 'x\u001b[2J\u0007y\u009b' },
    });
    const status = await local('status');
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(
      /LAST_RESTORE_FAILED: the last restore .* failed: RESTORE_FAILED: x\[2Jy$/m,
    );
    const json = await local('list', '--json');
    expect(JSON.parse(json.stdout).targets[0].backups[0].drill.failed).toContain('\u001b]0;owned\u0007');
    for (const run of [restore, status, json, await local('list')]) {
      expect(controlsIn(run.stdout)).toEqual([]);
      expect(controlsIn(run.stderr)).toEqual([]);
    }
  });

  it.each([
    [['restore', 'nope'], 4, /TARGET_UNKNOWN: databases: not configured: "nope"; configured: demo$/m],
    [['restore'], 2, /name one database/],
    [['restore', 'demo', '--bogus'], 2, /^db-backup: unknown option --bogus for restore$/m],
    [['frobnicate'], 2, /unknown command frobnicate/],
    [['verify', 'demo', '--date', '2026-02-30'], 4, /REQUEST_INVALID: date/],
  ])('exits %j with %i', async (args, code, message) => {
    const run = await local(...args);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
  });
});

describe('db-backup through npm', () => {
  it('prints JSON a parser reads with npm run -s, as the README shows', async () => {
    const json = await new Promise<string>((resolve, reject) =>
      execFile(
        'npm',
        ['run', '-s', 'db-backup', '--', '--local', '--data', dir, 'list', '--json'],
        { timeout: 120_000 },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      ),
    );
    expect((JSON.parse(json) as ListReport).kind).toBe('list');
  }, 120_000);
});

describe('db-backup --help', () => {
  it.each(['run', 'verify', 'restore', 'list', 'status', 'doctor'])(
    'explains %s and its options, and points to the exit codes',
    async (name) => {
      const run = await cli([name, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^usage: db-backup ${name}`));
      expect(run.stdout).toContain('Exit codes: 0 when done and fine; db-backup --help lists the others.');
    },
  );

  it('lists every command', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    for (const name of ['run', 'verify', 'restore', 'list', 'status', 'doctor'])
      expect(run.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });
});

describe('db-backup against the deployed functions', () => {
  it('calls each function with an identity token for that function as the audience', async () => {
    const seen: { url?: string; headers: IncomingHttpHeaders }[] = [];
    const server = createServer((req, res) => {
      seen.push({ url: req.url, headers: req.headers });
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ kind: 'list', listedAt: '', targets: [] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const urls = {
      backup: `${base}/b`,
      verify: `${base}/v`,
      restore: `${base}/r`,
      list: `${base}/l`,
      status: `${base}/s`,
      doctor: `${base}/d`,
    };
    const audiences: string[] = [];
    const stdout = new PassThrough();
    try {
      const code = await runCli({
        argv: ['--functions', JSON.stringify({ function_urls: { value: urls } }), 'list', 'demo'],
        env: {},
        stdout,
        stderr: new PassThrough(),
        authorize: async (audience) => {
          audiences.push(audience);
          return 'Bearer id-token-for-test';
        },
      });
      expect(code).toBe(0);
    } finally {
      server.close();
    }
    expect(audiences).toEqual([`${base}/l`]);
    expect(seen).toEqual([expect.objectContaining({ url: '/l?database=demo' })]);
    expect(seen[0]?.headers.authorization).toBe('Bearer id-token-for-test');
  });

  it('exits 3 when Application Default Credentials give no identity token', async () => {
    const urls = {
      backup: 'http://127.0.0.1:9/',
      verify: 'http://127.0.0.1:9/',
      restore: 'http://127.0.0.1:9/',
      list: 'http://127.0.0.1:9/',
      status: 'http://127.0.0.1:9/',
      doctor: 'http://127.0.0.1:9/',
    };
    const run = await cli(['list'], {
      DB_BACKUP_FUNCTIONS: JSON.stringify(urls),
      GOOGLE_APPLICATION_CREDENTIALS: join(dir, 'no-such-key.json'),
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /no identity token from GOOGLE_APPLICATION_CREDENTIALS \(.*no-such-key\.json\)/,
    );
    expect(run.stderr).toContain('gcloud auth application-default login');
  });
});
