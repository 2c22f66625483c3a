// One backup through the agent's pipeline in its own process, so its peak RSS (VmHWM) and CPU are the pipeline's alone.
// Reads a BenchBackupInput as JSON on stdin; prints the outcome with a ChildReport as JSON.

import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { text } from 'node:stream/consumers';
import { dumpCommandFor, targetConfigSchema } from '../../agent/engines/index.js';
import { binlogSettingsCommand } from '../../agent/engines/mysql.js';
import { createAgentLog } from '../../agent/log/agent-log.js';
import { createRedactor } from '../../agent/log/redact.js';
import { createBackupPipeline } from '../../agent/pipeline/backup-pipeline.js';
import { createSessionCanceller } from '../../agent/pipeline/cancel-session.js';
import { locateExecutable } from '../../agent/pipeline/required-tools.js';
import { DEFAULT_RETRY_POLICY } from '../../agent/pipeline/retrying.js';
import type { BenchBackupInput } from './measure.js';

export interface ChildReport {
  seconds: number;
  vmHwmKiB: number;
  /** This process, every thread, during the backup. */
  cpuSeconds: number;
  /** This process's main thread only, during the backup. */
  mainThreadCpuSeconds: number;
  /** Its children once they exited: the dump tool, pigz or zstd, and pv when they ran. */
  childrenCpuSeconds: number;
  /** pv's own share of that (every pv the backup ran): outside the compressor, so counted with the agent's. */
  meterCpuSeconds: number;
  /**
   * How late the event loop ran past its 10 ms timer, 99th percentile and worst, in ms: what hashing on the main
   * thread costs the agent's API.
   */
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
}

/**
 * pv as the agent finds it on PATH, run under GNU time so that its CPU can be told apart from the dump tool's and
 * the compressor's; each pv the backup runs appends its line.
 */
function timedPv(dir: string, cpuFile: string): string {
  const pv = locateExecutable('pv');
  if (!pv) throw new Error('no pv on PATH: the agent needs it (apt-get install pv)');
  const script = join(dir, 'pv');
  writeFileSync(script, `#!/bin/sh\nexec /usr/bin/time -a -o '${cpuFile}' -f '%U %S' '${pv}' "$@"\n`);
  chmodSync(script, 0o755);
  return script;
}

function meterCpuSeconds(cpuFile: string): number {
  if (!existsSync(cpuFile)) return 0;
  return readFileSync(cpuFile, 'utf8')
    .trim()
    .split(/\s+/)
    .map(Number)
    .reduce((sum, seconds) => sum + seconds, 0);
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
const scratch = mkdtempSync(join(tmpdir(), 'bench-pv-'));
const pvCpuFile = join(scratch, 'cpu');
const pipeline = createBackupPipeline(
  {
    zstdPath: input.zstdPath,
    pigzPath: input.pigzPath,
    pvPath: timedPv(scratch, pvCpuFile),
    agePath: 'age',
    chunkSize: 8 * 1024 * 1024,
    retry: DEFAULT_RETRY_POLICY,
    redact: createRedactor([input.password]).redact,
  },
  { encryption: 'off', recipients: input.recipients ?? [] },
  {
    dump: (target, options) => dumpCommandFor(target, input.password, options),
    binlogSettings: (target) => binlogSettingsCommand(target, { password: input.password }),
  },
  // A failed backup fails the benchmark; its log is kept with pv's CPU, and goes with it.
  createSessionCanceller(createAgentLog({ dir: scratch, redact: createRedactor([input.password]).redact })),
);
const target = targetConfigSchema.parse(input.target);
// From here on: a long-running agent has loaded its modules once, so their loading is not the backup's cost.
const [mainUserBefore = 0, mainSystemBefore = 0] = statTicks('/proc/thread-self/stat');
const cpuBefore = process.cpuUsage();
// Its histogram holds whole timer intervals: the resolution is taken off to leave how late each tick was.
const LOOP_RESOLUTION_MS = 10;
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
loopDelay.enable();
const started = performance.now();
const outcome = await pipeline(target, input.request, {
  signal: new AbortController().signal,
  onProgress: () => {},
});
const seconds = (performance.now() - started) / 1000;
loopDelay.disable();
const cpu = process.cpuUsage(cpuBefore);
const [mainUser = 0, mainSystem = 0] = statTicks('/proc/thread-self/stat');
const [, , childrenUser = 0, childrenSystem = 0] = statTicks('/proc/self/stat');
const report: ChildReport = {
  seconds,
  vmHwmKiB: vmHwmKiB(),
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  mainThreadCpuSeconds: (mainUser - mainUserBefore + mainSystem - mainSystemBefore) / TICKS,
  childrenCpuSeconds: (childrenUser + childrenSystem) / TICKS,
  meterCpuSeconds: meterCpuSeconds(pvCpuFile),
  eventLoopDelayP99Ms: Math.max(0, loopDelay.percentile(99) / 1e6 - LOOP_RESOLUTION_MS),
  eventLoopDelayMaxMs: Math.max(0, loopDelay.max / 1e6 - LOOP_RESOLUTION_MS),
};
rmSync(scratch, { recursive: true, force: true });
process.stdout.write(JSON.stringify({ outcome, ...report }));
