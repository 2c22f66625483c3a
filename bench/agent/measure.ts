// Runs one contender — a shell pipeline or the agent's pipeline in a child process — and times it, with the CPU
// and peak memory of the processes that did the work.

import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TargetInput } from '../../agent/engines/index.js';
import type { StreamedBackup } from '../../agent/pipeline/stream-backup.js';
import type { JobRequest } from '../../core/protocol.js';
import type { ChildReport } from './backup-child.js';

export interface Measurement {
  seconds: number;
  /** Peak RSS: the agent's own process, or the largest process of a shell pipeline. */
  peakRssMiB: number;
  /** CPU of every process of the pipeline (dump tool, compressor, uploader); not the database server nor storage. */
  cpuSeconds: number;
  /** The agent's own process: everything but the dump tool and a child compressor. */
  agentCpuSeconds?: number;
  /** Of that, the main thread: the event loop, and hashing while it runs there. */
  agentMainThreadCpuSeconds?: number;
  /** pv, counting the dump between the dump tool and the compressor. */
  meterCpuSeconds?: number;
  /** The agent's event loop: how late it ran during the backup, 99th percentile and worst, in ms. */
  eventLoopDelayP99Ms?: number;
  eventLoopDelayMaxMs?: number;
  /** CPU the storage side (sink or emulator, in the benchmark's process) spent during the run. */
  storageCpuSeconds?: number;
  /** CPU the database server spent answering the dump. */
  serverCpuSeconds?: number;
  /** Compressed bytes written, when the contender reports them. */
  outputBytes?: number;
  dumpBytes?: number;
}

/** The CPU seconds a process has used so far, from /proc (clock ticks of 1/100 s). */
export async function processCpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which sits in parentheses and may hold spaces; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The pid of the mariadbd serving `socket`, found by its command line. */
export async function serverPid(socket: string): Promise<number> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (/mariadbd|mysqld/.test(cmdline.split('\0')[0] ?? '') && cmdline.includes(socket))
      return Number(entry);
  }
  throw new Error(`no mariadbd process serves ${socket}`);
}

/** Single-quotes a word for sh. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Resolves with the exit code; stderr's last few KiB kept for a failure message. */
function waitFor(file: string, args: string[], env?: NodeJS.ProcessEnv, input?: string) {
  const child = spawn(file, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  child.stdin.end(input);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Runs `script` under bash -o pipefail (a failing stage fails the measurement instead of timing a broken run) and
 * GNU time, whose CPU figures add up every process of the pipeline and whose peak RSS is its largest process.
 */
export async function measureShell(
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
): Promise<Measurement> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-time-'));
  try {
    const timeFile = join(dir, 'time');
    const started = performance.now();
    const run = await waitFor(
      '/usr/bin/time',
      ['-f', '%U %S %M', '-o', timeFile, 'bash', '-o', 'pipefail', '-c', script],
      env,
    );
    const seconds = (performance.now() - started) / 1000;
    if (run.code !== 0) throw new Error(`${name} failed with ${run.code}: ${run.stderr}`);
    const [user, system, maxRssKiB] = (await readFile(timeFile, 'utf8')).trim().split(/\s+/).map(Number);
    return { seconds, cpuSeconds: (user ?? 0) + (system ?? 0), peakRssMiB: (maxRssKiB ?? 0) / 1024 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What the backup child runs: one job of one target, the password given rather than read from a file. */
export interface BenchBackupInput {
  request: JobRequest;
  target: TargetInput;
  password: string;
  zstdPath: string;
  pigzPath: string;
  /** age recipients for an encrypted contender (its request says `encrypted`); none for a plain one. */
  recipients?: string[];
}

/** Runs one backup through the agent's pipeline in a compiled child process (its own RSS and CPU), the input on stdin. */
export async function measureAgent(
  name: string,
  childPath: string,
  input: BenchBackupInput,
): Promise<Measurement> {
  // BENCH_NODE_ARGS: extra node flags for the agent's process, e.g. `--cpu-prof` to see where its CPU goes.
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const run = await waitFor(process.execPath, [...nodeArgs, childPath], process.env, JSON.stringify(input));
  if (run.code !== 0) throw new Error(`${name}: the backup child exited with ${run.code}: ${run.stderr}`);
  const report = JSON.parse(run.stdout) as ChildReport & { outcome: StreamedBackup };
  const { outcome } = report;
  if (!outcome.ok) {
    throw new Error(
      `${name} failed: ${outcome.errorCode} ${outcome.errorMessage} ${outcome.stderrTail.join(' | ')}`,
    );
  }
  return {
    seconds: report.seconds,
    peakRssMiB: report.vmHwmKiB / 1024,
    cpuSeconds: report.cpuSeconds + report.childrenCpuSeconds,
    agentCpuSeconds: report.cpuSeconds,
    meterCpuSeconds: report.meterCpuSeconds,
    eventLoopDelayP99Ms: report.eventLoopDelayP99Ms,
    eventLoopDelayMaxMs: report.eventLoopDelayMaxMs,
    agentMainThreadCpuSeconds: report.mainThreadCpuSeconds,
    outputBytes: outcome.bytesUploaded,
    dumpBytes: outcome.bytesRead,
  };
}
