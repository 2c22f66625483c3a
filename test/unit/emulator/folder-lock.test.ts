// The data folder's lock: a live holder is named and refused, a dead one's lock is taken over, a pid that now
// belongs to another process does not hold the folder, and only the holder's own release removes the lock.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FolderBusyError, folderHolder, type LockHolder, lockFolder } from '../../../emulator/folder-lock.js';

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'folder-lock-'));
});
afterEach(() => rm(folder, { recursive: true, force: true }));

/** The pid of a process that has exited, whose number no live process holds (checked). */
function deadPid(): number {
  const pid = spawnSync(process.execPath, [
    '-e',
    'process.stdout.write(String(process.pid))',
  ]).stdout.toString();
  expect(() => process.kill(Number(pid), 0)).toThrow();
  return Number(pid);
}

const plant = (holder: Partial<LockHolder>) =>
  writeFile(
    join(folder, 'test.lock'),
    JSON.stringify({ command: 'old', since: '2024-01-01T00:00:00.000Z', token: 'planted', ...holder }),
  );

describe('lockFolder', () => {
  it('refuses a second holder while the first lives, naming its pid, command and URL', async () => {
    const lock = await lockFolder(folder, 'test.lock');
    await lock.update({ url: 'http://127.0.0.1:4443' });
    const refused = await lockFolder(folder, 'test.lock').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(FolderBusyError);
    const { holder, message } = refused as FolderBusyError;
    expect(holder).toMatchObject({ pid: process.pid, url: 'http://127.0.0.1:4443' });
    expect(message).toContain(`in use by pid ${process.pid} (`);
    expect(message).toContain('serving it at http://127.0.0.1:4443');
    expect((await folderHolder(folder, 'test.lock'))?.pid).toBe(process.pid);
    await lock.release();
    expect(await folderHolder(folder, 'test.lock')).toBeNull();
    await (await lockFolder(folder, 'test.lock')).release();
  });

  it('takes over the lock of a process that died', async () => {
    await plant({ pid: deadPid() });
    expect(await folderHolder(folder, 'test.lock')).toBeNull();
    const lock = await lockFolder(folder, 'test.lock');
    const written = JSON.parse(await readFile(join(folder, 'test.lock'), 'utf8')) as LockHolder;
    expect(written.pid).toBe(process.pid);
    expect(written.token).not.toBe('planted');
    await lock.release();
  });

  it('does not take a pid now run by another process for the holder that wrote it', async () => {
    // This process's pid, but another process's start time: the writer is gone and its pid reused.
    await plant({ pid: process.pid, started: '1' });
    const lock = await lockFolder(folder, 'test.lock');
    await lock.release();
  });

  it('removes only its own lock on release', async () => {
    const lock = await lockFolder(folder, 'test.lock');
    await plant({ pid: process.pid });
    await lock.release();
    expect(JSON.parse(await readFile(join(folder, 'test.lock'), 'utf8')).token).toBe('planted');
  });
});
