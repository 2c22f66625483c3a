// Runs one provisioning command with its output in a log file, measuring wall time and peak memory with GNU time.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';

const GNU_TIME = '/usr/bin/time';

export interface Measured {
  ok: boolean;
  seconds: number;
  /** Peak resident memory of the largest process in the tree (GNU time's "Maximum resident set size"). */
  peakMiB?: number;
  /** The last lines of its output, for an error message. */
  tail: string;
}

export interface MeasureOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Appended to, so one log holds every command of a step. */
  log: string;
}

/** GNU time -v prints the peak RSS in KiB; the child's children count, as they are waited for. */
export function parsePeakMiB(report: string): number | undefined {
  const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(report);
  return match ? Math.round(Number(match[1]) / 1024) : undefined;
}

export async function runMeasured(file: string, args: string[], options: MeasureOptions): Promise<Measured> {
  const report = `${options.log}.time`;
  const timed = existsSync(GNU_TIME);
  const [command, argv] = timed ? [GNU_TIME, ['-v', '-o', report, file, ...args]] : [file, args];
  const log = await open(options.log, 'a');
  await log.write(`$ ${file} ${args.join(' ')}\n`);
  const started = performance.now();
  const code = await new Promise<number>((resolve) => {
    const child = spawn(command, argv, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', log.fd, log.fd],
    });
    child.once('error', () => resolve(-1));
    child.once('exit', (exitCode) => resolve(exitCode ?? -1));
  });
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  await log.close();
  const peakMiB = timed ? parsePeakMiB(await readFile(report, 'utf8').catch(() => '')) : undefined;
  if (timed) await rm(report, { force: true });
  const tail = (await readFile(options.log, 'utf8')).trimEnd().split('\n').slice(-15).join('\n');
  return { ok: code === 0, seconds, peakMiB, tail };
}
