// One backup through the agent's pipeline in its own process, so its peak RSS (VmHWM) is the pipeline's alone.
// Reads { request, target, password, zstdPath } as JSON on stdin; prints { outcome, seconds, vmHwmKiB, cpuSeconds } as JSON.

import { readFileSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import { dumpCommandFor, targetConfigSchema } from '../../agent/engines/index.js';
import { createBackupPipeline } from '../../agent/pipeline/backup-pipeline.js';
import { DEFAULT_RETRY_POLICY } from '../../agent/pipeline/retrying.js';
import type { BenchBackupInput } from './measure.js';

function vmHwmKiB(): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(match?.[1] ?? Number.NaN);
}

const input = JSON.parse(await text(process.stdin)) as BenchBackupInput;
const pipeline = createBackupPipeline(
  { zstdPath: input.zstdPath, chunkSize: 8 * 1024 * 1024, retry: DEFAULT_RETRY_POLICY },
  (target) => ({ command: dumpCommandFor(target, input.password), secrets: [input.password] }),
);
const started = performance.now();
const outcome = await pipeline(targetConfigSchema.parse(input.target), input.request, {
  signal: new AbortController().signal,
  onProgress: () => {},
});
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage();
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
process.stdout.write(JSON.stringify({ outcome, seconds, vmHwmKiB: vmHwmKiB(), cpuSeconds }));
