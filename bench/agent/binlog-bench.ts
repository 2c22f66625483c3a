// Shipping binary logs: about BENCH_SIZE_GIB of a MariaDB server's closed logs (max_binlog_size 256 MiB)
// shipped one after the other through the agent's own shipping path (mariadb-binlog, the chain, zstd-3, the hashes,
// the resumable upload) into the discard sink, against `cat <the same logs> | zstd -3 -T0 > /dev/null` on copies
// of them; alternating rounds, the best of each kept.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { promisify } from 'node:util';
import { parseBinaryLogs } from '../../agent/engines/mysql-binlog.js';
import { startMariaDb } from '../../test/helpers/mariadb.js';
import { startDiscardSink } from '../discard-sink.js';
import { benchTarget, generateDataset } from './dataset.js';
import { processCpuSeconds, serverPid } from './measure.js';
import type { ShipChildInput } from './ship-child.js';

const runTool = promisify(execFile);
const SHIP_CHILD = join(import.meta.dirname, 'ship-child.ts');
const GIB = 1024 ** 3;
const ROUNDS = 2;
export interface BinlogBenchResult {
  logs: number;
  bytes: number;
  agentSeconds: number[];
  shellSeconds: number[];
  /**
   * CPU seconds of each run: the processes it started (for the agent, its process and every tool it ran), and the
   * database server's during it (for the agent, the replication thread that sends the log).
   */
  agentCpu: { own: number; server: number }[];
  shellCpu: { own: number; server: number }[];
  /** Best shell time over best agent time: ≥ 0.9 is the target. */
  ratio: number;
  loadAverage: { start: number; end: number };
}

/** Ships the logs in a process of their own, so that the sink's work is not the agent's; its seconds. */
async function shipInChild(input: ShipChildInput): Promise<number> {
  const child = execFile(process.execPath, ['--import', 'tsx', SHIP_CHILD], { maxBuffer: 1024 * 1024 });
  child.stdin?.end(JSON.stringify(input));
  const [stdout] = await Promise.all([
    child.stdout ? text(child.stdout) : '',
    new Promise<void>((resolve, reject) =>
      child.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`the shipping child exited ${code}`)),
      ),
    ),
  ]);
  return (JSON.parse(stdout) as { seconds: number }).seconds;
}

/** CPU seconds of this process's children that have been waited for (cutime + cstime). */
async function childrenCpuSeconds(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** `run`'s seconds, and the CPU seconds of the children it waited for and of the server `pid` meanwhile. */
async function measured<T>(pid: number, run: () => Promise<T>) {
  const [own, server] = [await childrenCpuSeconds(), await processCpuSeconds(pid)];
  const started = performance.now();
  const value = await run();
  const seconds = (performance.now() - started) / 1000;
  const cpu = {
    own: (await childrenCpuSeconds()) - own,
    server: (await processCpuSeconds(pid)) - server,
  };
  return { value, seconds, cpu };
}

export async function runBinlogBench(sizeGiB: number): Promise<BinlogBenchResult> {
  const start = loadavg()[0] ?? 0;
  const dir = await mkdtemp(join(tmpdir(), 'binlog-bench-'));
  const db = await startMariaDb({ binlog: { serverId: 1 }, bufferPool: '1G' });
  const sink = await startDiscardSink();
  try {
    await db.exec(
      [
        'SET GLOBAL max_binlog_size = 268435456;',
        `GRANT REPLICATION SLAVE, BINLOG MONITOR, RELOAD ON *.* TO ${db.user}@'127.0.0.1';`,
      ].join('\n'),
    );
    // The agent bench's rows (a clinic's events), written with binary logging on: their log is about their dump's
    // size, in logs of 256 MiB but for the largest transactions, which a log never splits.
    await generateDataset(db, benchTarget(db), sizeGiB * GIB);
    await db.exec('FLUSH BINARY LOGS;');
    const logs = parseBinaryLogs(await db.exec('SHOW BINARY LOGS;')).slice(0, -1);
    const bytes = logs.reduce((sum, log) => sum + log.size, 0);
    console.error(`# binary logs: ${logs.length} closed, ${(bytes / GIB).toFixed(2)} GiB`);

    // The shell's input: the same logs, copied out by mariadb-binlog itself (not timed), then read from the cache.
    const copies = join(dir, 'logs');
    await mkdir(copies);
    for (const { file } of logs) {
      await runTool(
        'mariadb-binlog',
        [
          '--no-defaults',
          `--socket=${db.socket}`,
          '--user=root',
          '--read-from-remote-server',
          '--raw',
          `--result-file=${copies}/`,
          file,
        ],
        { env: { ...process.env, MYSQL_PWD: db.rootPassword } },
      );
    }
    const files = logs.map(({ file }) => join(copies, file));
    const childBase = { host: db.host, port: db.port, user: db.user, password: db.password };

    const pid = await serverPid(db.socket);
    const startup = (await measured(pid, () => shipInChild({ ...childBase, sessions: [] }))).cpu.own;
    const agentSeconds: number[] = [];
    const shellSeconds: number[] = [];
    const agentCpu: BinlogBenchResult['agentCpu'] = [];
    const shellCpu: BinlogBenchResult['shellCpu'] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const sessions = logs.map(({ file, size }) => ({
        file,
        size,
        uploadUri: sink.openSession('bench', `binlog/bench/1/${file}.r${round}.zst`),
      }));
      const input: ShipChildInput = { ...childBase, sessions };
      const agent = await measured(pid, () => shipInChild(input));
      // The child's own clock, and its CPU less what loading it costs: a running agent has its code loaded.
      agent.seconds = agent.value;
      agent.cpu.own -= startup;
      const shell = await measured(pid, () =>
        runTool('sh', ['-c', 'cat "$@" | zstd -q -3 -T0 > /dev/null', 'sh', ...files]),
      );
      agentSeconds.push(agent.seconds);
      agentCpu.push(agent.cpu);
      shellSeconds.push(shell.seconds);
      shellCpu.push(shell.cpu);
      console.error(
        `# round ${round + 1}: agent ${agent.seconds.toFixed(2)} s, shell ${shell.seconds.toFixed(2)} s`,
      );
    }
    const ratio = Math.min(...shellSeconds) / Math.min(...agentSeconds);
    return {
      logs: logs.length,
      bytes,
      agentSeconds,
      shellSeconds,
      agentCpu,
      shellCpu,
      ratio,
      loadAverage: { start, end: loadavg()[0] ?? 0 },
    };
  } finally {
    await sink.close();
    await db.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The default shipping schedule's interval: Terraform's binlog_schedule, every 5 minutes. */
const SCHEDULE_SECONDS = 300;

/**
 * What the shipping schedule leaves at risk: a change waits at most one interval for the run that flushes its log,
 * then the time to ship what was written meanwhile — here at the agent's measured rate, for 1 GiB of changes per
 * interval (a heavy day's rate for the system this is for).
 */
function recoveryPointLag(result: BinlogBenchResult): string {
  const bytesPerSecond = result.bytes / Math.min(...result.agentSeconds);
  const shipSeconds = GIB / bytesPerSecond;
  return `  recovery-point lag, every ${SCHEDULE_SECONDS / 60} min: at most ${SCHEDULE_SECONDS} s + shipping what was written meanwhile; at ${(bytesPerSecond / 1024 ** 2).toFixed(0)} MiB/s, 1 GiB of changes per interval ships in ${shipSeconds.toFixed(1)} s: at most ${((SCHEDULE_SECONDS + shipSeconds) / 60).toFixed(1)} min`;
}

export function formatBinlogReport(result: BinlogBenchResult): string {
  const seconds = (list: number[]) => list.map((s) => s.toFixed(2)).join(', ');
  const cpu = (list: { own: number; server: number }[]) =>
    list.map(({ own, server }) => `${own.toFixed(1)} + ${server.toFixed(1)}`).join(', ');
  const gib = (result.bytes / GIB).toFixed(2);
  return [
    `Binary-log shipping: ${result.logs} closed logs, ${gib} GiB (load ${result.loadAverage.start.toFixed(1)} → ${result.loadAverage.end.toFixed(1)})`,
    `  agent (mariadb-binlog → chain → zstd-3 → sink): ${seconds(result.agentSeconds)} s`,
    `  cat <logs> | zstd -3 -T0 > /dev/null:          ${seconds(result.shellSeconds)} s`,
    `  CPU s, own + server: agent ${cpu(result.agentCpu)}; shell ${cpu(result.shellCpu)}`,
    `  ratio (best shell / best agent): ${result.ratio.toFixed(2)} (target ≥ 0.9)`,
    recoveryPointLag(result),
  ].join('\n');
}
