// The scratch database of a restore: made empty — never over one that exists, which is then not the restore's to
// drop — and dropped afterwards, even after the job itself was stopped.
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BackupError } from '../../core/errors.js';
import type { RestoreSteps } from '../engines/index.js';
import type { StderrTail } from '../pipeline/stderr-tail.js';
import { runStep } from './run-step.js';

/** How long dropping a scratch database may take, even after the job itself was stopped. */
const DROP_TIMEOUT_MS = 120_000;

/**
 * Makes the empty scratch database; SCRATCH_EXISTS when it is there already (it is then not this restore's to drop),
 * saying what `exists` says: where it is, and how to drop it.
 */
export async function makeScratch(
  steps: RestoreSteps,
  scratch: string,
  exists: () => string,
  tail: StderrTail,
  signal: AbortSignal,
) {
  if (steps.create === null) {
    const paths = steps.drop.kind === 'files' ? steps.drop.paths : [];
    if (paths.some((path) => existsSync(path))) throw new BackupError('SCRATCH_EXISTS', exists());
    if (paths[0]) await mkdir(dirname(paths[0]), { recursive: true, mode: 0o700 });
    return;
  }
  const result = await runStep(steps.create, tail, signal);
  if (result.code === 0) return;
  if (/exist/i.test(result.stderr)) throw new BackupError('SCRATCH_EXISTS', exists());
  const why = result.stderr.trim().split('\n').at(-1) || `exit code ${result.code}`;
  throw new BackupError('RESTORE_FAILED', `cannot create the scratch database ${scratch}: ${why}`);
}

export async function dropScratch(steps: RestoreSteps, tail: StderrTail): Promise<void> {
  if (steps.drop.kind === 'files') {
    for (const path of steps.drop.paths) await rm(path, { force: true });
    return;
  }
  const result = await runStep(steps.drop.step, tail, AbortSignal.timeout(DROP_TIMEOUT_MS));
  if (result.code !== 0) {
    throw new Error(result.stderr.trim().split('\n').at(-1) || `the drop exited with code ${result.code}`);
  }
}
