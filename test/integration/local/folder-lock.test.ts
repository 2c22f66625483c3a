// Two processes on one data folder: while `npm start -- --watch` runs, a second `npm start` and `npm run emulator`
// on its folder refuse, naming it, and leave its stack file; `db-backup --local` attaches to it; once it is killed
// without a chance to clean up, the next `npm start` takes the folder over and finds the backup it made.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderHolder } from '../../../emulator/folder-lock.js';
import { readStackFile } from '../../../local/stack-file.js';

const run = promisify(execFile);
/** Runs a script of the repository under tsx; never throws on a non-zero exit. */
const tsx = (args: string[]) =>
  run(process.execPath, ['--import', 'tsx', ...args], { timeout: 120_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: error.code ?? -1,
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? '',
    }),
  );

describe('one stack per data folder', () => {
  let dataDir: string;
  let watch: ChildProcess;
  let watchOutput = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'local-lock-'));
    watch = spawn(
      process.execPath,
      ['--import', 'tsx', 'local/start.ts', '--watch', '--every', '60', '--data', dataDir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    for (const stream of [watch.stdout, watch.stderr])
      stream?.on('data', (chunk: Buffer) => {
        watchOutput += chunk.toString();
      });
    // Up once its first backup and restore are done and it waits for the next round.
    const deadline = Date.now() + 150_000;
    while (!watchOutput.includes('Ctrl-C stops')) {
      if (Date.now() > deadline || watch.exitCode !== null)
        throw new Error(`the watch did not start:\n${watchOutput}`);
      await sleep(200);
    }
  }, 180_000);

  afterAll(async () => {
    if (watch?.exitCode === null) watch.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a second npm start, naming the running one, and keeps its stack file', async () => {
    const second = await tsx(['local/start.ts', '--data', dataDir]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`in use by pid ${watch.pid} (local/start.ts --watch --every 60 --data`);
    expect(second.stderr).toContain('npm run -s db-backup -- --local');
    expect(second.stdout).toBe('');
    expect((await readStackFile(dataDir))?.pid).toBe(watch.pid);
  }, 150_000);

  it("refuses an emulator on the stack's storage folder, saying where that folder is served", async () => {
    const storage = join(dataDir, 'storage');
    const served = await folderHolder(storage, 'emulator.lock');
    expect(served?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const emulator = await tsx(['emulator/cli.ts', '--port', '0', '--data', storage]);
    expect(emulator.code).toBe(1);
    expect(emulator.stderr).toContain(`in use by pid ${watch.pid}`);
    expect(emulator.stderr).toContain(`point your client at ${served?.url}`);
  }, 150_000);

  it('lets db-backup --local attach to the running stack', async () => {
    const listed = await tsx(['cli/main.ts', '--local', '--data', dataDir, '--json', 'list']);
    expect(listed.code, listed.stderr).toBe(0);
    const report = JSON.parse(listed.stdout) as { targets: { backups: unknown[] }[] };
    expect(report.targets[0]?.backups).toHaveLength(1);
  }, 150_000);

  it('takes over the folder of a stack that was killed, and keeps what it stored', async () => {
    watch.kill('SIGKILL');
    await new Promise((done) => watch.once('exit', done));
    expect(await readStackFile(dataDir)).toBeNull();
    const next = await tsx(['local/start.ts', '--data', dataDir]);
    expect(next.code, `${next.stdout}\n${next.stderr}`).toBe(0);
    expect(next.stdout).toMatch(/demo: exists {2}gs:\/\/local-backups\/demo_\d{8}\.sql\.gz/);
  }, 180_000);
});
