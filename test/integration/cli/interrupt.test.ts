// Ctrl-C during a run started by db-backup. On a local stack the command started itself, the run is cancelled and
// what the stack holds is cleaned up — the upload session's staged bytes in the emulator, a restore's scratch
// database; on a running stack (as on the deployed functions) the command stops waiting and the run goes on. Each
// says which.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListReport } from '../../../functions/api.js';
import { type LocalStack, startLocalStack } from '../../../local/stack.js';
import { readStackFile } from '../../../local/stack-file.js';
import { bigDemoDatabase, cli, slowSqlite3, startCli, startNpmStart } from '../../helpers/cli-process.js';

let slow: string;
const dirs: string[] = [];

/** A data folder holding a demo database of `mebibytes` MiB, with patients. */
async function dataDir(mebibytes: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cli-interrupt-'));
  dirs.push(dir);
  await bigDemoDatabase(join(dir, 'demo.sqlite'), mebibytes, 3);
  return dir;
}

/** The bytes the emulator holds of uploads not finished (its staged sessions). */
async function staged(dir: string): Promise<number> {
  const folder = join(dir, 'storage', 'staging');
  const names = await readdir(folder).catch(() => []);
  const sizes = await Promise.all(names.map(async (name) => (await stat(join(folder, name))).size));
  return sizes.reduce((sum, size) => sum + size, 0);
}

/** The staged uploads' files: none once every session is finished or cancelled. */
const stagedFiles = (dir: string) => readdir(join(dir, 'storage', 'staging')).catch(() => []);

/** Under way: a few MiB of the dump uploaded (the session exists, and its bytes are arriving). */
const uploading = (dir: string) => async () => (await staged(dir)) > 2 * 1024 * 1024;

async function until(check: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

beforeAll(async () => {
  slow = await slowSqlite3('4m');
}, 60_000);

afterAll(async () => {
  for (const dir of [slow, ...dirs]) if (dir) await rm(dir, { recursive: true, force: true });
});

const slowPath = () => ({ PATH: `${slow}:${process.env.PATH}` });

describe('Ctrl-C on a local stack the command started', () => {
  it('cancels the backup, says so, and leaves no staged upload behind', async () => {
    const dir = await dataDir(24);
    const run = startCli(['--local', '--data', dir, 'run'], slowPath());
    await until(uploading(dir), 'an upload under way');
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.output()).toContain('db-backup: Ctrl-C: cancelled. The local stack runs inside this command');
    expect(await stagedFiles(dir)).toEqual([]);
    expect(await readStackFile(dir)).toBeNull();
    // Nothing partial became a backup.
    const list = await cli(['--local', '--data', dir, 'list', '--json']);
    expect((JSON.parse(list.stdout) as ListReport).targets[0]?.backups).toEqual([]);
  }, 180_000);

  it('cancels a restore and drops its scratch database', async () => {
    const dir = await dataDir(24);
    expect((await cli(['--local', '--data', dir, 'run', '--quiet'])).code).toBe(0);
    const scratch = join(dir, 'agent', 'scratch');
    const restore = startCli(['--local', '--data', dir, 'restore', 'demo'], slowPath());
    const restoring = async () => (await stat(join(scratch, 'demo_restore.sqlite')).catch(() => null))?.size;
    await until(async () => ((await restoring()) ?? 0) > 1024 * 1024, 'the scratch database to fill');
    restore.child.kill('SIGINT');
    expect(await restore.exited).toBe(130);
    expect(restore.output()).toContain('drops a restore');
    expect(await readdir(scratch)).toEqual([]);
  }, 180_000);

  it('npm start: cancels the run the same way', async () => {
    const dir = await dataDir(24);
    const start = startNpmStart(['--data', dir], slowPath());
    await until(uploading(dir), 'an upload under way');
    start.child.kill('SIGINT');
    expect(await start.exited).toBe(130);
    expect(start.output()).toContain('Ctrl-C: cancelled; the local stack stops');
    expect(await stagedFiles(dir)).toEqual([]);
  }, 180_000);
});

describe('Ctrl-C while a running stack does the work', () => {
  let dir: string;
  let stack: LocalStack;

  beforeAll(async () => {
    dir = await dataDir(24);
    stack = await startLocalStack(dir);
  }, 120_000);

  afterAll(() => stack?.close());

  it('stops waiting, says the run goes on, and the run ends well without it', async () => {
    const run = startCli(['--local', '--data', dir, 'run']);
    await run.waitFor(/^demo: running/m);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.output()).toContain('db-backup: Ctrl-C: stopped waiting; the run goes on.');
    await until(async () => {
      const list = await cli(['--local', '--data', dir, 'list', '--json']);
      return (JSON.parse(list.stdout) as ListReport).targets[0]?.backups[0]?.verifiedAt !== undefined;
    }, 'the backup to be verified');
  }, 180_000);
});
