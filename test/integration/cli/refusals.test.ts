// What a person typed that names nothing real — a day still to come, a day without a backup, a scratch database the
// agent does not allow — as db-backup answers it on the local stack: exit 4, the message listing what exists, and no
// alert; while a restore that really failed on the same stack still writes one.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../local/stack.js';
import { bigDemoDatabase, cli } from '../../helpers/cli-process.js';

let dir: string;
let stack: LocalStack;
let today: string;
const local = (...args: string[]) => cli(['--local', '--data', dir, ...args]);
const alerts = async () => (await readdir(join(dir, 'outbox')).catch(() => [])).sort();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-refusals-'));
  // No patient on record: every restore of it fails its check, a real failure that alerts.
  await bigDemoDatabase(join(dir, 'demo.sqlite'), 0, 0);
  stack = await startLocalStack(dir);
  const run = await local('run', '--quiet', '--json');
  expect(run.code, run.stderr).toBe(0);
  const date = JSON.parse(run.stdout).date as string;
  today = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)}`;
}, 180_000);

afterAll(async () => {
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Case = [what: string, args: string[], message: () => RegExp];

describe('a request that names nothing real', () => {
  it.each<Case>([
    [
      'a day still to come, to verify',
      ['verify', '--date', '2030-01-01'],
      () =>
        new RegExp(
          `^db-backup: DATE_WITHOUT_BACKUP: date: 2030-01-01 is still to come \\(today is ${today} in UTC\\), so no backup of it exists; the days with a backup are demo: ${today}$`,
          'm',
        ),
    ],
    ...['2030-01-01', '2020-01-01'].map(
      (day): Case => [
        `a day without a backup (${day}), to restore`,
        ['restore', 'demo', '--date', day],
        () =>
          new RegExp(
            `DATE_WITHOUT_BACKUP: demo has no backup dated ${day}; its restorable backups are of: ${today}$`,
            'm',
          ),
      ],
    ),
    [
      'a scratch database the agent does not allow',
      ['restore', 'demo', '--scratch', 'other'],
      () => /SCRATCH_REFUSED: .*other is not one of demo's scratch databases \(allowed: demo_restore\)$/m,
    ],
    [
      'the source database as the scratch one',
      ['restore', 'demo', '--scratch', 'demo'],
      () => /SCRATCH_REFUSED: .*demo is the source database itself \(allowed: demo_restore\)$/m,
    ],
  ])('is refused with exit 4 and no alert: %s', async (_what, args, message) => {
    const before = await alerts();
    const run = await local(...args, '--quiet');
    expect(run.code, run.stderr).toBe(4);
    expect(run.stderr).toMatch(message());
    expect(run.stderr).not.toContain('alert written');
    expect(run.stdout).toBe('');
    expect(await alerts()).toEqual(before);
  });

  it('leaves a real failure alerting, dated as its backup', async () => {
    const before = await alerts();
    const run = await local('restore', 'demo', '--date', today, '--quiet');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`alert written: Restore failed: demo \\(${today}\\)`));
    expect((await alerts()).length).toBe(before.length + 1);
  });
});
