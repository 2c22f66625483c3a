// The restore figure of `npm run bench`: one gzip-6 MariaDB dump of BENCH_SIZE_GIB (default 1) restored by the
// agent's pipeline from the emulator through a signed URL (hashes checked, filtered, into `mariadb`), and by
// `gunzip -c dump.sql.gz | mariadb` from a local file, side by side, each into an empty scratch database; and the same
// dump encrypted with age, restored by the agent through `age -d` — in BENCH_RESTORE_ROUNDS (default 2) alternating
// rounds, since a shared machine's load moves between runs.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import {
  dumpCommandFor,
  type MysqlTarget,
  restoreEngineFor,
  restoreStepsFor,
} from '../../agent/engines/index.js';
import { createRedactor } from '../../agent/log/redact.js';
import { DEFAULT_RETRY_POLICY } from '../../agent/pipeline/retrying.js';
import { StderrTail } from '../../agent/pipeline/stderr-tail.js';
import { runStep } from '../../agent/restore/run-step.js';
import { streamRestore } from '../../agent/restore/stream-restore.js';
import { validateRestore } from '../../agent/restore/validate.js';
import { startEmulator } from '../../emulator/index.js';
import { createLocalSigner } from '../../local/signer.js';
import { type MariaDb, startMariaDb } from '../../test/helpers/mariadb.js';
import { mariadbRestoreUser, type RestoreAccount } from '../../test/helpers/restore-users.js';
import { hashesOf } from '../../test/unit/functions/scripted-agent.js';
import { benchTarget, generateDataset } from '../agent/dataset.js';
import { measureShell, shellQuote } from '../agent/measure.js';

const GIB = 1024 ** 3;
const MB = 1e6;
const BUCKET = 'bench-restores';
const SCRATCH = 'BenchDB_restore';

export interface RestoreRun {
  name: string;
  round: number;
  seconds: number;
}

/** What the restore figure measured: for `--json` as it is, or as a table. */
export interface RestoreFigure {
  sizeGiB: number;
  /** The decompressed dump's bytes, and the gzip-6 object's. */
  dumpBytes: number;
  objectBytes: number;
  runs: RestoreRun[];
}

/** A stored object the agent restores: its signed URL and hashes. */
interface Stored {
  url: string;
  expected: { size: number; crc32c: string; md5: string };
}

interface Setup {
  db: MariaDb;
  target: MysqlTarget;
  account: RestoreAccount;
  file: string;
  plain: Stored;
  /** The same dump encrypted with age, and the identity that opens it. */
  encrypted: Stored & { identityFile: string };
}

const AGENT_PLAIN = 'agent: emulator → hashes → gunzip → mariadb';
const AGENT_AGE = 'agent: emulator → hashes → age -d → gunzip → mariadb';

/** The agent's way: the scratch database made, the object streamed in from the emulator, then validated. */
async function agentRestore(
  setup: Setup,
  round: number,
  encrypted = false,
): Promise<{ runs: RestoreRun[]; dumpBytes: number }> {
  const { target, account } = setup;
  const steps = restoreStepsFor(target, { password: account.password }, SCRATCH);
  const redact = createRedactor([account.password]).redact;
  const tail = new StderrTail(20, redact);
  const signal = new AbortController().signal;
  await runStep(steps.create as NonNullable<typeof steps.create>, tail, signal);
  const started = performance.now();
  const stored = encrypted ? setup.encrypted : setup.plain;
  const decrypt = { agePath: 'age', identityFiles: [setup.encrypted.identityFile] };
  const outcome = await streamRestore({
    url: stored.url,
    expected: stored.expected,
    compression: 'gzip',
    encrypted,
    command: steps.restore,
    filters: restoreEngineFor('mysql').filters(),
    settings: { zstdPath: 'zstd', decrypt, retry: DEFAULT_RETRY_POLICY, redact },
    tail,
    signal,
  });
  if (!outcome.ok)
    throw new Error(`agent: ${outcome.errorCode} ${outcome.errorMessage} ${tail.tail.join(' | ')}`);
  const restored = (performance.now() - started) / 1000;
  if (encrypted)
    return { dumpBytes: outcome.bytesRestored, runs: [{ name: AGENT_AGE, round, seconds: restored }] };
  const validation = await validateRestore({
    steps,
    dialect: restoreEngineFor('mysql').dialect,
    checks: [],
    tail,
    signal,
  });
  if (validation.problems.length > 0) throw new Error(`agent: ${validation.problems.join('; ')}`);
  const validated = (performance.now() - started) / 1000;
  return {
    dumpBytes: outcome.bytesRestored,
    runs: [
      { name: AGENT_PLAIN, round, seconds: restored },
      { name: 'agent, validated (recovery time)', round, seconds: validated },
    ],
  };
}

/** The shell's way: the same dump from a local file, into the same server as the same user. */
async function shellRestore(setup: Setup, round: number): Promise<RestoreRun> {
  const { db, account } = setup;
  await db.exec(`CREATE DATABASE ${SCRATCH};`);
  const client = `mariadb --no-defaults --protocol=tcp --host=${db.host} --port=${db.port} --user=${account.user} ${SCRATCH}`;
  const shell = await measureShell('shell', `gunzip -c ${shellQuote(setup.file)} | ${client}`, {
    ...process.env,
    MYSQL_PWD: account.password,
  });
  return { name: 'gunzip -c dump.sql.gz | mariadb', round, seconds: shell.seconds };
}

export async function runRestoreBench(
  sizeGiB: number,
  rounds = Number(process.env.BENCH_RESTORE_ROUNDS ?? 2),
): Promise<RestoreFigure> {
  const dir = await mkdtemp(join(tmpdir(), 'restore-bench-'));
  const db = await startMariaDb({ bufferPool: '1G' });
  const signer = createLocalSigner();
  const emulator = await startEmulator({ dataDir: join(dir, 'storage'), signedUrlKeys: signer.trusted });
  try {
    const account = await mariadbRestoreUser(db, [SCRATCH]);
    // The backup bench's target, with a restore user of its own.
    const target = benchTarget(db, {
      user: account.user,
      toolPath: '/usr/bin/mariadb',
      scratchDatabases: [SCRATCH],
    });
    const rows = await generateDataset(db, target, sizeGiB * GIB);
    // The same dump for both, made once as the agent would: gzip -6.
    const file = join(dir, 'dump.sql.gz');
    const dump = `mariadb-dump ${dumpCommandFor(target).args.map(shellQuote).join(' ')}`;
    await measureShell('dump', `${dump} | gzip -6 > ${shellQuote(file)}`, {
      ...process.env,
      MYSQL_PWD: db.password,
    });
    const object = await readFile(file);
    const storage = new Storage({
      apiEndpoint: emulator.url,
      projectId: 'bench',
      credentials: signer.credentials,
    });
    const [bucket] = await storage.createBucket(BUCKET);
    const store = async (name: string, bytes: Buffer): Promise<Stored> => {
      await bucket.file(name).save(bytes, { resumable: false });
      const [url] = await bucket
        .file(name)
        .getSignedUrl({ version: 'v4', action: 'read', expires: Date.now() + 24 * 3_600_000 });
      const { bytesUploaded: size, crc32c, md5 } = hashesOf(bytes);
      return { url, expected: { size, crc32c: crc32c as string, md5: md5 as string } };
    };
    const identityFile = join(dir, 'agent.key');
    await measureShell('age-keygen', `age-keygen -o ${shellQuote(identityFile)} 2>/dev/null`, process.env);
    await measureShell(
      'age',
      `age -e -i ${shellQuote(identityFile)} -o ${shellQuote(`${file}.age`)} ${shellQuote(file)}`,
      process.env,
    );
    const setup: Setup = {
      db,
      target,
      account,
      file,
      plain: await store('BenchDB_20261130.sql.gz', object),
      encrypted: {
        ...(await store('BenchDB_20261130.sql.gz.age', await readFile(`${file}.age`))),
        identityFile,
      },
    };
    const size = setup.plain.expected.size;
    console.error(`# restore bench: ${rows} rows, ${(size / 1024 ** 2).toFixed(0)} MiB gzip-6 object`);

    const runs: RestoreRun[] = [];
    let dumpBytes = 0;
    for (let round = 1; round <= rounds; round++) {
      const agent = await agentRestore(setup, round);
      dumpBytes = agent.dumpBytes;
      runs.push(...agent.runs);
      await db.exec(`DROP DATABASE ${SCRATCH};`);
      runs.push(...(await agentRestore(setup, round, true)).runs);
      await db.exec(`DROP DATABASE ${SCRATCH};`);
      runs.push(await shellRestore(setup, round));
      await db.exec(`DROP DATABASE ${SCRATCH};`);
      console.error(
        `#   round ${round}: ${runs
          .slice(-4)
          .map((run) => run.seconds.toFixed(1))
          .join(' s, ')} s`,
      );
    }
    return { sizeGiB, dumpBytes, objectBytes: size, runs };
  } finally {
    await emulator.close();
    await db.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export function formatRestoreReport(figure: RestoreFigure): string {
  const { sizeGiB, dumpBytes, objectBytes, runs } = figure;
  const rate = (seconds: number) => dumpBytes / MB / seconds;
  const best = (name: string) =>
    Math.min(...runs.filter((run) => run.name === name).map((run) => run.seconds));
  const shell = best('gunzip -c dump.sql.gz | mariadb');
  return [
    '',
    `## Restore of a MariaDB dump of ${(dumpBytes / GIB).toFixed(2)} GiB (${(objectBytes / 1024 ** 2).toFixed(0)} MiB gzip-6; BENCH_SIZE_GIB ${sizeGiB})`,
    '',
    '| pipeline | round | seconds | dump MB/s |',
    '| --- | ---: | ---: | ---: |',
    ...runs.map(
      (run) => `| ${run.name} | ${run.round} | ${run.seconds.toFixed(1)} | ${rate(run.seconds).toFixed(1)} |`,
    ),
    '',
    `- agent / (gunzip | mariadb), best of each: ${(shell / best(AGENT_PLAIN)).toFixed(2)} (recovery time with validation: ${(shell / best('agent, validated (recovery time)')).toFixed(2)})`,
    `- agent with age -d / agent, best of each: ${(best(AGENT_PLAIN) / best(AGENT_AGE)).toFixed(2)} (target ≥ 0.9)`,
    '',
  ].join('\n');
}
