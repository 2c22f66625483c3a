// Runs one provisioning command with its output in a log file, measuring wall time and peak memory with GNU time.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';

const GNU_TIME = '/usr/bin/time';

export interface Measured {
  ok: boolean;
  seconds: number;
  /** User plus system CPU time: what the build costs whatever else the machine is doing. */
  cpuSeconds?: number;
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

export function parseCpuSeconds(report: string): number | undefined {
  const user = /User time \(seconds\): ([\d.]+)/.exec(report);
  const system = /System time \(seconds\): ([\d.]+)/.exec(report);
  return user && system ? Math.round(Number(user[1]) + Number(system[1])) : undefined;
}

export async function runMeasured(file: string, args: string[], options: MeasureOptions): Promise<Measured> {
  // Appended to as well: the log's .time file keeps every command's full GNU time report.
  const report = `${options.log}.time`;
  const timed = existsSync(GNU_TIME);
  const [command, argv] = timed ? [GNU_TIME, ['-v', '-a', '-o', report, file, ...args]] : [file, args];
  const before = timed ? await readFile(report, 'utf8').catch(() => '') : '';
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
  const measured = timed ? (await readFile(report, 'utf8').catch(() => '')).slice(before.length) : '';
  const peakMiB = parsePeakMiB(measured);
  const cpuSeconds = parseCpuSeconds(measured);
  const tail = (await readFile(options.log, 'utf8')).trimEnd().split('\n').slice(-15).join('\n');
  return { ok: code === 0, seconds, cpuSeconds, peakMiB, tail };
}

export type Figures = { seconds: number; cpuSeconds: number; peakMiB?: number };

/** Adds up the figures of the commands one provisioning step runs: wall and CPU time summed, the highest peak. */
export function tally(): { add(result: Measured): Measured; figures(): Figures } {
  const total: Figures = { seconds: 0, cpuSeconds: 0 };
  return {
    add(result) {
      total.seconds = Math.round((total.seconds + result.seconds) * 10) / 10;
      total.cpuSeconds += result.cpuSeconds ?? 0;
      if (result.peakMiB !== undefined) total.peakMiB = Math.max(total.peakMiB ?? 0, result.peakMiB);
      return result;
    },
    figures: () => ({ ...total }),
  };
}
