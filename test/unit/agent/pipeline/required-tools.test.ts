// The tools every backup needs (pv, pigz, zstd): found on PATH by a bare name or at a configured path, and when one
// is missing, one error naming each missing tool and the Debian package to install.

import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRequiredTools, locateExecutable } from '../../../../agent/pipeline/required-tools.js';
import { ConfigError } from '../../../../core/errors.js';

describe('required tools', () => {
  let dir: string;
  const executable = async (name: string) => {
    await writeFile(join(dir, name), '#!/bin/sh\n');
    await chmod(join(dir, name), 0o755);
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'required-tools-'));
    await Promise.all(['pv', 'pigz', 'zstd', 'stdbuf'].map(executable));
    await writeFile(join(dir, 'not-executable'), '');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const BARE = { pvPath: 'pv', pigzPath: 'pigz', zstdPath: 'zstd' };

  it('finds a bare name in the first PATH folder that has it as an executable file', () => {
    expect(locateExecutable('pigz', `/nonexistent:${dir}:/usr/bin`)).toBe(join(dir, 'pigz'));
    expect(locateExecutable('not-executable', dir)).toBeUndefined();
    expect(locateExecutable('pigz', '/nonexistent')).toBeUndefined();
  });

  it('takes a configured path only when it is an executable file', () => {
    expect(locateExecutable(join(dir, 'pv'), '')).toBe(join(dir, 'pv'));
    expect(locateExecutable(join(dir, 'not-executable'), '')).toBeUndefined();
    expect(locateExecutable(dir, '')).toBeUndefined();
    expect(locateExecutable('/opt/none/pigz', dir)).toBeUndefined();
  });

  it('passes when every tool is there', () => {
    expect(() => checkRequiredTools(BARE, dir)).not.toThrow();
    expect(() => checkRequiredTools({ ...BARE, pvPath: join(dir, 'pv') }, '/nonexistent')).toThrow(/pigz/);
  });

  it('names every missing tool, where it was looked for and the Debian package to install', () => {
    const paths = { ...BARE, pvPath: '/opt/none/pv', pigzPath: 'pigz' };
    let error: unknown;
    try {
      checkRequiredTools(paths, join(dir, 'empty'));
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      'every backup needs pv, pigz, zstd and stdbuf; ' +
        'pv is missing (/opt/none/pv is not an executable file): install the Debian package pv (apt-get install pv); ' +
        'pigz is missing (no pigz on PATH): install the Debian package pigz (apt-get install pigz); ' +
        'zstd is missing (no zstd on PATH): install the Debian package zstd (apt-get install zstd); ' +
        'stdbuf is missing (no stdbuf on PATH): install the Debian package coreutils (apt-get install coreutils)',
    );
  });

  it('checks age only where encryption is configured, and names its package', () => {
    expect(() => checkRequiredTools(BARE, dir)).not.toThrow();
    expect(() => checkRequiredTools({ ...BARE, agePath: 'age' }, dir)).toThrow(
      'every backup needs pv, pigz, zstd and stdbuf, and age to encrypt and decrypt; ' +
        'age is missing (no age on PATH): install the Debian package age (apt-get install age)',
    );
  });
});
