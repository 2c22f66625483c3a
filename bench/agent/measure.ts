// Runs one contender — a shell pipeline or the agent's pipeline in a child process — and times it.

import { spawn } from 'node:child_process';
import type { TargetInput } from '../../agent/engines/index.js';
import type { BackupOutcome } from '../../agent/pipeline/stream-backup.js';
import type { JobRequest } from '../../core/protocol.js';

export interface Measurement {
  name: string;
  seconds: number;
  /** Peak RSS of the process that did the work, when it is one process (the agent). */
  peakRssMiB?: number;
  /** CPU seconds the emulator (the storage side) spent during the run. */
  storageCpuSeconds?: number;
  /** CPU seconds of the agent's own process (user + system). */
  agentCpuSeconds?: number;
  /** Compressed bytes written. */
  outputBytes?: number;
  dumpBytes?: number;
}

/** Single-quotes a word for sh. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Runs `script` with sh and times it from start to exit; rejects on a non-zero exit (pipefail-like check). */
export async function measureShell(
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
): Promise<Measurement> {
  const started = performance.now();
  // bash -o pipefail: a failing stage anywhere fails the measurement instead of timing a broken run.
  const child = spawn('bash', ['-o', 'pipefail', '-c', script], {
    env,
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`${name} failed with ${code}: ${stderr}`);
  return { name, seconds: (performance.now() - started) / 1000 };
}

/** What the backup child runs: one job of one target, the password given rather than read from a file. */
export interface BenchBackupInput {
  request: JobRequest;
  target: TargetInput;
  password: string;
  zstdPath: string;
}

/** Runs one backup through the agent's pipeline in a compiled child process (its own RSS), the input on stdin. */
export async function measureAgent(
  name: string,
  childPath: string,
  input: BenchBackupInput,
): Promise<Measurement> {
  const child = spawn(process.execPath, [childPath], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stdin.end(JSON.stringify(input));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`${name}: the backup child exited with ${code}`);
  const { outcome, seconds, vmHwmKiB, cpuSeconds } = JSON.parse(Buffer.concat(chunks).toString()) as {
    outcome: BackupOutcome;
    seconds: number;
    vmHwmKiB: number;
    cpuSeconds: number;
  };
  if (!outcome.ok)
    throw new Error(
      `${name} failed: ${outcome.errorCode} ${outcome.errorMessage} ${outcome.stderrTail.join(' | ')}`,
    );
  return {
    name,
    seconds,
    peakRssMiB: vmHwmKiB / 1024,
    agentCpuSeconds: cpuSeconds,
    outputBytes: outcome.bytesUploaded,
    dumpBytes: outcome.bytesRead,
  };
}
