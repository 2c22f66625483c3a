// One backup through runBackup in its own process, so its peak RSS (VmHWM) is the pipeline's alone.
// Reads { request, target, password, zstdPath } as JSON on stdin; prints { outcome, seconds, vmHwmKiB, cpuSeconds } as JSON.

import { readFileSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import { type RunBackupInput, runBackup } from '../../agent/pipeline/run-backup.js';

function vmHwmKiB(): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(match?.[1] ?? Number.NaN);
}

const input = JSON.parse(await text(process.stdin)) as RunBackupInput;
const started = performance.now();
const outcome = await runBackup(input);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage();
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
process.stdout.write(JSON.stringify({ outcome, seconds, vmHwmKiB: vmHwmKiB(), cpuSeconds }));
