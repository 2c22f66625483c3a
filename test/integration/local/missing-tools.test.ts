// `npm start` on a machine without pv and pigz, or without age: it stops at once with one line naming each missing tool
// and the package that has it, rather than failing its backup.
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
    // A PATH with the demo database's sqlite3, zstd, stdbuf and age, but neither pv nor pigz; another without age.
    await mkdir(join(dir, 'bin'));
    await mkdir(join(dir, 'no-age'));
    for (const tool of ['sqlite3', 'zstd', 'stdbuf', 'age', 'age-keygen'])
      await symlink(`/usr/bin/${tool}`, join(dir, 'bin', tool));
    for (const tool of ['sqlite3', 'zstd', 'stdbuf', 'pv', 'pigz'])
      await symlink(`/usr/bin/${tool}`, join(dir, 'no-age', tool));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const start = (bin: string) =>
    run(process.execPath, ['--import', 'tsx', 'local/start.ts', '--data', join(dir, 'data')], {
      env: { ...process.env, PATH: join(dir, bin) },
      timeout: 60_000,
    }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );

  it('fails naming pv and pigz and their Debian packages', async () => {
    const failure = await start('bin');
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain(
      'npm start failed: every backup needs pv, pigz, zstd and stdbuf, and age to encrypt and decrypt;',
    );
    expect(failure?.stderr).toContain('pv is missing (no pv on PATH): install the Debian package pv');
    expect(failure?.stderr).toContain('pigz is missing (no pigz on PATH): install the Debian package pigz');
    expect(failure?.stderr).not.toMatch(/(zstd|stdbuf) is missing/);
  });

  it('fails naming age, which encrypts the demo backup, before it makes a key', async () => {
    const failure = await start('no-age');
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('npm start failed: the age and age-keygen commands are not on PATH');
    expect(failure?.stderr).toContain('sudo apt-get install age');
  });
});
