// `npm start` on a machine without pv and pigz: it stops at once with one line naming each missing tool and the
// Debian package that has it, rather than failing its backup.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('npm start without the tools a backup needs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-missing-tools-'));
    // A PATH with the demo database's sqlite3, zstd and stdbuf, but neither pv nor pigz.
    await mkdir(join(dir, 'bin'));
    for (const tool of ['sqlite3', 'zstd', 'stdbuf'])
      await symlink(`/usr/bin/${tool}`, join(dir, 'bin', tool));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('fails naming pv and pigz and their Debian packages', async () => {
    const failure = await run(
      process.execPath,
      ['--import', 'tsx', 'local/start.ts', '--data', join(dir, 'data')],
      {
        env: { ...process.env, PATH: join(dir, 'bin') },
        timeout: 60_000,
      },
    ).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('npm start failed: every backup needs pv, pigz, zstd and stdbuf;');
    expect(failure?.stderr).toContain('pv is missing (no pv on PATH): install the Debian package pv');
    expect(failure?.stderr).toContain('pigz is missing (no pigz on PATH): install the Debian package pigz');
    expect(failure?.stderr).not.toMatch(/(zstd|stdbuf) is missing/);
  });
});
