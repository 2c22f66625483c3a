import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeConfigFiles } from '../../../../agent/config/files.js';
import { readPasswordFile } from '../../../../agent/config/password-file.js';

describe('readPasswordFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'password-file-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads a 0600 file and drops one final newline only', async () => {
    const path = join(dir, 'pw');
    await writeFile(path, ' pass word \n\n', { mode: 0o600 });
    expect(readPasswordFile(path, nodeConfigFiles, 'pw')).toBe(' pass word \n');
  });

  it('refuses a file others may read, and one too short to mask in logs', async () => {
    const path = join(dir, 'pw');
    await writeFile(path, 'long-enough\n');
    await chmod(path, 0o604);
    expect(() => readPasswordFile(path, nodeConfigFiles, 'targets.0.passwordFile')).toThrow(
      /targets\.0\.passwordFile: .* readable by group or others \(mode 0604\); chmod 600 it/,
    );
    await writeFile(path, 'abc\n');
    await chmod(path, 0o600);
    expect(() => readPasswordFile(path, nodeConfigFiles, 'pw')).toThrow(/shorter than 4/);
  });
});
