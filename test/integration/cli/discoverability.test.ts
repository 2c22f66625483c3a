// What a new admin meets first: --version, help <command>, the nearest spelling of a mistyped command or option,
// the exit codes on one page, the command that fixes missing credentials (and no call to a metadata server), an
// install hint for a missing sqlite3, and npm start saying what is wrong with its options.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, npmStart } from '../../helpers/cli-process.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-discover-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('db-backup tells what it is and what it takes', () => {
  it("prints the package's version", async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const run = await cli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`db-backup ${version}\n`);
  });

  it('explains a command with help <command>, as with <command> --help', async () => {
    const help = await cli(['help', 'restore']);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe((await cli(['restore', '--help'])).stdout);
    expect(help.stdout).toMatch(/^usage: db-backup restore <db>/);
  });

  it('lists the exit codes on the main page only', async () => {
    const main = await cli(['help']);
    expect(main.code).toBe(0);
    expect(main.stdout).toMatch(/^Exit codes:\n {2}0 {4}done/m);
    expect(main.stdout).toMatch(/^ {2}130 {2}stopped by Ctrl-C/m);
    const page = await cli(['list', '--help']);
    expect(page.stdout).not.toMatch(/^ {2}\d+ +/m);
    expect(page.stdout).toContain('db-backup --help lists the others');
  });

  it.each([
    [['lsit'], /^db-backup: unknown command lsit \(did you mean list\?\); the commands are run, verify/],
    [['help', 'stauts'], /^db-backup: unknown command stauts \(did you mean status\?\)/],
    [['list', '--jsno'], /^db-backup: unknown option --jsno for list \(did you mean --json\?\)$/m],
    [['run', '--dryrun'], /^db-backup: unknown option --dryrun for run \(did you mean --dry-run\?\)$/m],
    [['verify', '--date'], /^db-backup: --date needs a value \(verify\)$/m],
    [['list', '--json=yes'], /^db-backup: --json takes no value \(list\)$/m],
  ])('names the mistake in %j, with the nearest right spelling, and exits 2', async (args, message) => {
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    // Node's parser would have said "Unknown option '--x'. To specify a positional argument … '-- \"--x\"": quotes
    // left open for the reader to balance.
    expect(run.stderr).not.toMatch(/positional|'/);
  });
});

describe('db-backup without credentials', () => {
  it('names the command that signs in and the tunnel option, and asks no metadata server', async () => {
    // Where the auth library would ask whether it runs on Google Cloud: a server on loopback that answers 500, as a
    // stray metadata server might; the library then prints a MetadataLookupWarning.
    let asked = 0;
    const metadata = createServer((_req, res) => {
      asked++;
      res.writeHead(500).end('no');
    });
    await new Promise<void>((done) => metadata.listen(0, '127.0.0.1', done));
    const urls = Object.fromEntries(
      ['backup', 'verify', 'restore', 'list', 'status', 'doctor'].map((name) => [
        name,
        'http://127.0.0.1:9/',
      ]),
    );
    try {
      const run = await cli(['list'], {
        DB_BACKUP_FUNCTIONS: JSON.stringify(urls),
        HOME: dir,
        CLOUDSDK_CONFIG: join(dir, 'gcloud'),
        GCE_METADATA_HOST: `127.0.0.1:${(metadata.address() as AddressInfo).port}`,
      });
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/^db-backup: no Google credentials to call the functions with/);
      expect(run.stderr).toContain('gcloud auth application-default login');
      expect(run.stderr).toContain('--via 127.0.0.1:PORT');
      expect(run.stderr).not.toMatch(/MetadataLookupWarning|Could not load the default credentials/);
      expect(asked).toBe(0);
    } finally {
      metadata.close();
    }
  });
});

describe('the local stack without sqlite3', () => {
  it('says how to install it, from db-backup and from npm start', async () => {
    const env = { PATH: join(dir, 'empty') };
    const run = await cli(['--local', '--data', dir, 'list'], env);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/sqlite3 command is not on PATH.*sudo apt-get install sqlite3/);
    expect(run.stderr).not.toContain('ENOENT');
    const start = await npmStart(['--data', dir], env);
    expect(start.code).toBe(1);
    expect(start.stderr).toMatch(/sqlite3 command is not on PATH.*sudo apt-get install sqlite3/);
  });
});

describe("npm start's options", () => {
  it.each([
    [
      ['--every', 'abc', '--watch'],
      /^npm start: --every abc: give the minutes between two backups as a number/,
    ],
    [['--every', '5'], /^npm start: --every needs --watch: without it npm start backs up and restores once/],
    [['--wacth'], /^npm start: unknown option --wacth for npm start \(did you mean --watch\?\)/],
  ])('%j: says what is wrong, then the usage, and exits 2', async (args, message) => {
    const run = await npmStart([...args, '--data', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain('usage: npm start --');
  });
});
