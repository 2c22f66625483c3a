// One backup through the agent's pipeline in its own process, so its peak RSS (VmHWM) and CPU are the pipeline's alone.
// Reads a BenchBackupInput as JSON on stdin; prints the outcome with a ChildReport as JSON.

import { readFileSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import { dumpCommandFor, targetConfigSchema } from '../../agent/engines/index.js';
import { createRedactor } from '../../agent/log/redact.js';
import { createBackupPipeline } from '../../agent/pipeline/backup-pipeline.js';
import { DEFAULT_RETRY_POLICY } from '../../agent/pipeline/retrying.js';
import type { BenchBackupInput } from './measure.js';

export interface ChildReport {
  seconds: number;
  vmHwmKiB: number;
  /** This process, every thread, during the backup. */
  cpuSeconds: number;
  /** This process's main thread only, during the backup. */
  mainThreadCpuSeconds: number;
  /** Its children once they exited: the dump tool, and pigz or zstd when they ran. */
  childrenCpuSeconds: number;
}

function vmHwmKiB(): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(match?.[1] ?? Number.NaN);
}

/** utime, stime, cutime and cstime of a /proc stat file, in clock ticks (100 per second on Linux). */
function statTicks(path: string): number[] {
  const stat = readFileSync(path, 'utf8');
  // Fields after the command name, which sits in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [11, 12, 13, 14].map((index) => Number(fields[index]));
}

const TICKS = 100;
const input = JSON.parse(await text(process.stdin)) as BenchBackupInput;
const pipeline = createBackupPipeline(
  {
    zstdPath: input.zstdPath,
    pigzPath: input.pigzPath,
    chunkSize: 8 * 1024 * 1024,
    retry: DEFAULT_RETRY_POLICY,
    redact: createRedactor([input.password]).redact,
  },
  (target) => dumpCommandFor(target, input.password),
);
const target = targetConfigSchema.parse(input.target);
// From here on: a long-running agent has loaded its modules once, so their loading is not the backup's cost.
const [mainUserBefore = 0, mainSystemBefore = 0] = statTicks('/proc/thread-self/stat');
const cpuBefore = process.cpuUsage();
const started = performance.now();
const outcome = await pipeline(target, input.request, {
  signal: new AbortController().signal,
  onProgress: () => {},
});
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const [mainUser = 0, mainSystem = 0] = statTicks('/proc/thread-self/stat');
const [, , childrenUser = 0, childrenSystem = 0] = statTicks('/proc/self/stat');
const report: ChildReport = {
  seconds,
  vmHwmKiB: vmHwmKiB(),
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  mainThreadCpuSeconds: (mainUser - mainUserBefore + mainSystem - mainSystemBefore) / TICKS,
  childrenCpuSeconds: (childrenUser + childrenSystem) / TICKS,
};
process.stdout.write(JSON.stringify({ outcome, ...report }));
