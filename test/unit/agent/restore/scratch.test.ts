// Making a scratch database: a create step that fails says why, in the tool's last words or, silent, its exit code.
import { describe, expect, it } from 'vitest';
import type { RestoreSteps } from '../../../../agent/engines/index.js';
import { StderrTail } from '../../../../agent/pipeline/stderr-tail.js';
import { makeScratch } from '../../../../agent/restore/scratch.js';

/** Steps whose create runs `script` in Node; only create is used. */
function creating(script: string): RestoreSteps {
  const step = { file: process.execPath, args: ['-e', script], env: {}, secretFiles: [] };
  return { create: step, restore: step, query: () => step, drop: { kind: 'tool', step } };
}

const make = (script: string) =>
  makeScratch(
    creating(script),
    'app_restore',
    () => 'app_restore is there, and here is how to drop it',
    new StderrTail(10, (text) => text),
    new AbortController().signal,
  );

describe('makeScratch', () => {
  it('names the tool’s last line on stderr when the create step fails', async () => {
    await expect(make('console.error("permission denied"); process.exit(1)')).rejects.toMatchObject({
      code: 'RESTORE_FAILED',
      message: 'cannot create the scratch database app_restore: permission denied',
    });
  });

  it('names the exit code when the create step fails without a word', async () => {
    await expect(make('process.exit(3)')).rejects.toMatchObject({
      code: 'RESTORE_FAILED',
      message: 'cannot create the scratch database app_restore: exit code 3',
    });
  });

  it('says SCRATCH_EXISTS when the tool says the database exists', async () => {
    await expect(
      make('console.error("the database app_restore already exists"); process.exit(1)'),
    ).rejects.toMatchObject({
      code: 'SCRATCH_EXISTS',
      message: 'app_restore is there, and here is how to drop it',
    });
  });
});
