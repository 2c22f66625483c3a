// An older generation of a backup, on the local stack's versioned bucket: after a bad copy became the live one
// (`run --force`), `list --all` shows the generations kept of each name, and `restore --generation` restores the good
// one — proven ours like any restore; a generation that is not kept is refused, one not proven ours is not restored.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListReport, RunReport } from '../../../functions/api.js';
import { type LocalStack, startLocalStack } from '../../../local/stack.js';
import { cli } from '../../helpers/cli-process.js';
import { runTool } from '../../helpers/stand-in-tools.js';

let dir: string;
let stack: LocalStack;
const local = (...args: string[]) => cli(['--local', '--data', dir, ...args]);
let day = '';
let good = '';
let bad = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-generations-'));
  stack = await startLocalStack(dir);
  const first = await local('run', '--quiet', '--json');
  expect(first.code, first.stderr).toBe(0);
  good = String((JSON.parse(first.stdout) as RunReport).targets[0]?.generation);
  // Every patient gone: tonight's copy is a bad one, and --force makes it the live generation.
  await runTool('sqlite3', [stack.paths.demoDatabase], { input: 'DELETE FROM patients;' });
  const forced = await local('run', '--force', '--quiet', '--json');
  expect(forced.code, forced.stderr).toBe(0);
  const report = JSON.parse(forced.stdout) as RunReport;
  bad = String(report.targets[0]?.generation);
  day = `${report.date.slice(0, 4)}-${report.date.slice(4, 6)}-${report.date.slice(6)}`;
}, 180_000);

afterAll(async () => {
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the generations of a backup', () => {
  it('are listed with --all, the live one and the one it replaced', async () => {
    expect(good).not.toBe(bad);
    const live = JSON.parse((await local('list', '--json')).stdout) as ListReport;
    expect(live.targets[0]?.backups.map((backup) => backup.generation)).toEqual([bad]);
    const all = await local('list', '--all', '--json');
    expect(all.code, all.stderr).toBe(0);
    const backups = (JSON.parse(all.stdout) as ListReport).targets[0]?.backups ?? [];
    expect(backups.map((backup) => [backup.generation, Boolean(backup.noncurrentSince)])).toEqual([
      [bad, false],
      [good, true],
    ]);
    const table = await local('list', '--all');
    expect(table.stdout).toMatch(/^date\s+object\s+generation\s+current\s+size/m);
    expect(table.stdout).toMatch(
      new RegExp(`^${day}\\s+demo_\\d{8}\\.sql\\.gz\\.age\\s+${bad}\\s+live\\s`, 'm'),
    );
    expect(table.stdout).toMatch(
      new RegExp(
        `^${day}\\s+demo_\\d{8}\\.sql\\.gz\\.age\\s+${good}\\s+noncurrent since ${day} \\d\\d:\\d\\d UTC\\s`,
        'm',
      ),
    );
  });

  it('restores the good one by its generation, where the live bad copy fails its check', async () => {
    const latest = await local('restore', 'demo', '--quiet');
    expect(latest.code).toBe(1);
    expect(latest.stdout).toMatch(/VALIDATION_FAILED/);
    const older = await local('restore', 'demo', '--date', day, '--generation', good, '--quiet', '--json');
    expect(older.code, older.stderr).toBe(0);
    const [target] = (JSON.parse(older.stdout) as RunReport).targets;
    expect(target).toMatchObject({ outcome: 'restored', generation: good });
    expect(target?.restore?.checks).toEqual([expect.objectContaining({ ok: true, value: '3' })]);
  });

  it('refuses a generation the day’s backup does not keep, naming those it does', async () => {
    const run = await local('restore', 'demo', '--date', day, '--generation', '12345', '--quiet');
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(
      `GENERATION_UNKNOWN: demo's backup of ${day} has no generation 12345 kept; its restorable generations are: ${bad} (live), ${good}`,
    );
    const without = await local('restore', 'demo', '--generation', good);
    expect(without.code).toBe(4);
    expect(without.stderr).toMatch(/REQUEST_INVALID: generation: name the date/);
  });

  it('does not restore a generation that is not proven ours', async () => {
    // Written straight into the bucket, claiming to be checked: no attestation of the function's binds it.
    const bucket = stack.storage.bucket(stack.bucket);
    const [[file]] = await bucket.getFiles({ prefix: 'demo_' });
    await file?.save('SELECT 1;\n', {
      resumable: false,
      metadata: { metadata: { checkedAt: new Date().toISOString() } },
    });
    const [meta] = (await file?.getMetadata()) ?? [];
    const planted = String(meta?.generation);
    const run = await local('restore', 'demo', '--date', day, '--generation', planted, '--quiet');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`(generation ${planted}) is not proven ours`);
  });
});
