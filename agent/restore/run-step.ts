// Runs one of a restore's tool steps to its end — create, query, drop — its input on stdin, its output collected
// (bounded), its stderr into the job's tail; stopped when the job is.
import { basename } from 'node:path';
import { BackupError } from '../../core/errors.js';
import type { RestoreStep } from '../engines/index.js';
import { spawnTool } from '../pipeline/spawn-tool.js';
import type { StderrTail } from '../pipeline/stderr-tail.js';

/** A table listing of a very large schema fits; anything longer is not an answer to our queries. */
const MAX_STDOUT = 64 * 1024 * 1024;

export interface StepResult {
  code: number | null;
  stdout: string;
  /** What the tool wrote on stderr, the last few lines, to tell why it failed. */
  stderr: string;
}

export async function runStep(step: RestoreStep, tail: StderrTail, signal: AbortSignal): Promise<StepResult> {
  const label = basename(step.file);
  const tool = spawnTool(step, { stdin: 'pipe' });
  const stdout: Buffer[] = [];
  let size = 0;
  let stderr = '';
  tool.child.stdout?.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_STDOUT) tool.kill();
    else stdout.push(chunk);
  });
  tool.child.stderr?.on('data', (chunk: Buffer) => {
    tail.write(chunk, label);
    stderr = (stderr + chunk.toString('utf8')).slice(-2000);
  });
  tool.child.stderr?.on('end', () => tail.end(label));
  // A tool that exits before reading its input closes stdin early; its exit code says what happened.
  tool.child.stdin?.on('error', () => {});
  tool.child.stdin?.end(`${step.preamble ?? ''}${step.input ?? ''}`);
  const stop = () => tool.kill(1000);
  signal.addEventListener('abort', stop, { once: true });
  try {
    const code = await tool.closed;
    if (size > MAX_STDOUT)
      throw new BackupError('INTERNAL', `${label} printed more than ${MAX_STDOUT} bytes`);
    return { code, stdout: Buffer.concat(stdout).toString('utf8'), stderr };
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError('RESTORE_FAILED', `cannot start ${label}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
