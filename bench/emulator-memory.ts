// Measures the emulator's peak memory, elapsed time and CPU seconds while it receives a 1 GiB resumable upload.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Storage } from '@google-cloud/storage';

const MIB = 1024 * 1024;
const TOTAL_MIB = Number(process.env.EMULATOR_BENCH_MIB ?? 1024);
const CHUNK_SIZE = 16 * MIB;

/** Starts the emulator CLI as its own process (not through npx, so the pid is the emulator's). */
async function startChild(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'emulator/cli.ts', '--port', '0', '--data', dataDir],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((done, fail) => {
    child.once('exit', (code) => fail(new Error(`emulator exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      const found = /listening on (\S+)/.exec(chunk.toString());
      if (found?.[1]) done(found[1]);
    });
  });
  return { child, url };
}

/** Clock ticks per second of /proc/<pid>/stat's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) the process has used so far, from fields 14 and 15 of /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces, so fields are counted from after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Reads a field of /proc/<pid>/status in KiB: VmRSS now, VmHWM the peak so far. */
function statusKib(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const found = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(found?.[1] ?? Number.NaN);
}

/**
 * 1 MiB blocks of random bytes, each stamped with its index so no two are alike; `onEnd` is told when the
 * client has taken the last block.
 */
function generated(mib: number, onEnd: () => void): Readable {
  const block = randomBytes(MIB);
  return Readable.from(
    (function* () {
      for (let index = 0; index < mib; index += 1) {
        const copy = Buffer.from(block);
        copy.writeUInt32BE(index, 0);
        yield copy;
      }
      onEnd();
    })(),
  );
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'emulator-bench-'));
  const { child, url } = await startChild(dataDir);
  const pid = child.pid ?? 0;
  try {
    const idleKib = statusKib(pid, 'VmRSS');
    let sampledPeakKib = idleKib;
    const sampler = setInterval(() => {
      sampledPeakKib = Math.max(sampledPeakKib, statusKib(pid, 'VmRSS'));
    }, 100);
    const storage = new Storage({ apiEndpoint: url, projectId: 'bench' });
    const [bucket] = await storage.createBucket('bench');
    const file = bucket.file('one-gib.bin');
    const cpuBefore = cpuSeconds(pid);
    const started = Date.now();
    let lastBlockTaken = started;
    await pipeline(
      generated(TOTAL_MIB, () => {
        lastBlockTaken = Date.now();
      }),
      file.createWriteStream({
        resumable: true,
        chunkSize: CHUNK_SIZE,
        preconditionOpts: { ifGenerationMatch: 0 },
      }),
    );
    const finished = Date.now();
    const seconds = (finished - started) / 1000;
    const emulatorCpuSeconds = cpuSeconds(pid) - cpuBefore;
    clearInterval(sampler);
    const [metadata] = await file.getMetadata();
    console.log(
      JSON.stringify(
        {
          uploadedMiB: Number(metadata.size) / MIB,
          chunkMiB: CHUNK_SIZE / MIB,
          seconds,
          // The last chunk's upload and the finalize: where reading the object again used to show.
          tailSeconds: (finished - lastBlockTaken) / 1000,
          emulatorCpuSeconds: +emulatorCpuSeconds.toFixed(2),
          idleRssMiB: +(idleKib / 1024).toFixed(1),
          sampledPeakRssMiB: +(sampledPeakKib / 1024).toFixed(1),
          vmHwmMiB: +(statusKib(pid, 'VmHWM') / 1024).toFixed(1),
        },
        null,
        2,
      ),
    );
  } finally {
    child.kill('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
