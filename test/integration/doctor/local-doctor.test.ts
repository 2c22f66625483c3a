// `db-backup --local doctor` as the admin runs it against the local stack (`npm start -- --watch`): every check
// passes, the table on stdout, the report whole with --json, the test mail written to the outbox, the canaries left
// to the bucket's lifecycle.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../../functions/api.js';
import { type LocalStack, startLocalStack } from '../../../local/stack.js';
import { cli } from '../../helpers/cli-process.js';

let dir: string;
let stack: LocalStack;
const local = (...args: string[]) => cli(['--local', '--data', dir, ...args]);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'doctor-cli-'));
  stack = await startLocalStack(dir);
}, 120_000);

afterAll(async () => {
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('db-backup --local doctor', () => {
  it('passes on the local stack, printing a row per check and no fix', async () => {
    const run = await local('doctor');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^agent\s+check\s+outcome\s+detail$/m);
    expect(run.stdout).toMatch(/^127\.0\.0\.1:\d+\s+ping\s+passed\s+version \S+, clock .*, key id local$/m);
    expect(run.stdout).toMatch(
      /^127\.0\.0\.1:\d+\s+canary\s+passed\s+\d+ bytes through dump → pv → pv → pigz, _canary\//m,
    );
    expect(run.stdout).toMatch(/^alerts\s+mail\s+passed\s+test mail sent to admin@localhost\.localdomain$/m);
    expect(run.stdout).toContain('Every check passed: the path is ready for the first run.');
    const mails = await readdir(stack.paths.outbox);
    expect(mails.length).toBeGreaterThan(0);
  });

  it('prints the report whole with --json', async () => {
    const run = await local('doctor', '--json');
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as DoctorReport;
    expect(report).toMatchObject({ kind: 'doctor', status: 'ok' });
    expect(report.checks.map((check) => `${check.check} ${check.outcome}`)).toEqual([
      'ping passed',
      'route passed',
      'canary passed',
      'mail passed',
    ]);
  });

  it("leaves its canaries to the bucket's lifecycle, which deletes them a day later", async () => {
    const run = await local('doctor', '--json');
    const canary = (JSON.parse(run.stdout) as DoctorReport).checks.find((check) => check.check === 'canary');
    const name = /_canary\/\S+\.canary/.exec(canary?.detail ?? '')?.[0] as string;
    const file = stack.storage.bucket(stack.bucket).file(name);
    expect((await file.exists())[0]).toBe(true);
    expect((await stack.runLifecycle()).changes.map((change) => change.name)).not.toContain(name);
    const dayLater = new Date(Date.now() + 25 * 3600_000);
    expect((await stack.runLifecycle(dayLater)).changes.map((change) => change.name)).toContain(name);
    expect((await file.exists())[0]).toBe(false);
  });
});
