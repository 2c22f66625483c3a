// Which optional tool runs (pigz, pv): a bare name only when PATH has it as an executable file, a configured path
// as it is.

import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExecutable } from '../../../../agent/pipeline/find-executable.js';

describe('findExecutable', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'find-executable-'));
    await writeFile(join(dir, 'pigz'), '#!/bin/sh\n');
    await chmod(join(dir, 'pigz'), 0o755);
    await writeFile(join(dir, 'not-executable'), '');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('finds a bare name in the first PATH folder that has it as an executable file', () => {
    expect(findExecutable('pigz', `/nonexistent:${dir}:/usr/bin`)).toBe(join(dir, 'pigz'));
    expect(findExecutable('not-executable', dir)).toBeUndefined();
    expect(findExecutable('pigz', '/nonexistent')).toBeUndefined();
  });

  it('takes a configured path as it is, so a wrong one fails loudly instead of falling back', () => {
    expect(findExecutable('/opt/none/pigz', dir)).toBe('/opt/none/pigz');
  });
});
