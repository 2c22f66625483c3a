// The restore figure of `npm run bench`: one gzip-6 MariaDB dump of BENCH_SIZE_GIB (default 1) restored by the
// agent's pipeline from the emulator through a signed URL (hashes checked, scanned, into `mariadb`), and by
// `gunzip -c dump.sql.gz | mariadb` from a local file, side by side, each into an empty scratch database.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { dialectFor, dumpCommandFor, mysqlTargetSchema, restoreStepsFor } from '../../agent/engines/index.js';
import { DEFAULT_RETRY_POLICY } from '../../agent/pipeline/retrying.js';
import { StderrTail } from '../../agent/pipeline/stderr-tail.js';
import { DUMP_READERS } from '../../agent/restore/inventory/index.js';
import { runStep } from '../../agent/restore/run-step.js';
import { streamRestore } from '../../agent/restore/stream-restore.js';
import { validateRestore } from '../../agent/restore/validate.js';
import { startEmulator } from '../../emulator/index.js';
import { createLocalSigner } from '../../local/signer.js';
import { startMariaDb } from '../../test/helpers/mariadb.js';
import { mariadbRestoreUser } from '../../test/helpers/restore-users.js';
import { hashesOf } from '../../test/unit/functions/scripted-agent.js';
import { BENCH_DATABASE, generateDataset } from '../agent/dataset.js';
import { measureShell, shellQuote } from '../agent/measure.js';

const GIB = 1024 ** 3;
const MB = 1e6;
const BUCKET = 'bench-restores';
const SCRATCH = ['BenchDB_agent', 'BenchDB_shell'];

interface Figure {
  name: string;
  seconds: number;
}

export async function runRestoreBench(sizeGiB: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'restore-bench-'));
  const db = await startMariaDb({ bufferPool: '1G' });
  const signer = createLocalSigner();
  const emulator = await startEmulator({ dataDir: join(dir, 'storage'), signedUrlKeys: signer.trusted });
  try {
    const account = await mariadbRestoreUser(db, SCRATCH);
    const target = mysqlTargetSchema.parse({
      id: 'bench',
      engine: 'mysql',
      database: BENCH_DATABASE,
      host: db.host,
      port: db.port,
      user: db.user,
      toolPath: '/usr/bin/mariadb-dump',
      restore: { user: account.user, toolPath: '/usr/bin/mariadb', scratchDatabases: SCRATCH },
    });
    const rows = await generateDataset(db, target, sizeGiB * GIB);
    // The same dump for both: made once, as the agent would, gzip -6.
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
    await bucket.file('BenchDB_20261130.sql.gz').save(object, { resumable: false });
    const [url] = await bucket
      .file('BenchDB_20261130.sql.gz')
      .getSignedUrl({ version: 'v4', action: 'read', expires: Date.now() + 3_600_000 });
    const { bytesUploaded: size, crc32c, md5 } = hashesOf(object);
    console.error(`# restore bench: ${rows} rows, ${(size / 1024 ** 2).toFixed(0)} MiB gzip-6 object`);

    const figures: Figure[] = [];
    // The agent: the scratch database made, then the object streamed in from the emulator, then validated.
    const steps = restoreStepsFor(target, { password: account.password }, 'BenchDB_agent');
    const tail = new StderrTail(20, [account.password]);
    await runStep(steps.create as NonNullable<typeof steps.create>, tail, new AbortController().signal);
    const started = performance.now();
    const outcome = await streamRestore({
      url,
      expected: { size, crc32c: crc32c as string, md5: md5 as string },
      compression: 'gzip',
      command: steps.restore,
      secrets: [account.password],
      reader: DUMP_READERS.mysql,
      settings: { zstdPath: 'zstd', retry: DEFAULT_RETRY_POLICY },
      tail,
      signal: new AbortController().signal,
    });
    if (!outcome.ok)
      throw new Error(
        `agent restore failed: ${outcome.errorCode} ${outcome.errorMessage} ${tail.tail.join(' | ')}`,
      );
    figures.push({
      name: 'agent: emulator → hashes → gunzip → mariadb',
      seconds: (performance.now() - started) / 1000,
    });
    const validation = await validateRestore({
      steps,
      dialect: dialectFor('mysql'),
      listed: outcome.tables,
      checks: [],
      tail,
      signal: new AbortController().signal,
    });
    if (validation.problems.length > 0)
      throw new Error(`agent restore did not validate: ${validation.problems.join('; ')}`);
    figures.push({ name: 'agent, validated (recovery time)', seconds: (performance.now() - started) / 1000 });

    // The shell: the same dump, read from a local file, into the same server as the same user.
    await db.exec('CREATE DATABASE BenchDB_shell;');
    const client = `mariadb --no-defaults --protocol=tcp --host=${db.host} --port=${db.port} --user=${account.user} BenchDB_shell`;
    const shell = await measureShell('shell', `gunzip -c ${shellQuote(file)} | ${client}`, {
      ...process.env,
      MYSQL_PWD: account.password,
    });
    figures.push({ name: 'gunzip -c dump.sql.gz | mariadb', seconds: shell.seconds });
    printRestoreReport(sizeGiB, outcome.bytesRestored, (await stat(file)).size, figures);
  } finally {
    await emulator.close();
    await db.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function printRestoreReport(
  sizeGiB: number,
  dumpBytes: number,
  objectBytes: number,
  figures: Figure[],
): void {
  const rate = (figure: Figure) => dumpBytes / MB / figure.seconds;
  const shell = figures.at(-1) as Figure;
  console.log(
    [
      '',
      `## Restore of a MariaDB dump of ${(dumpBytes / GIB).toFixed(2)} GiB (${(objectBytes / 1024 ** 2).toFixed(0)} MiB gzip-6; BENCH_SIZE_GIB ${sizeGiB})`,
      '',
      '| pipeline | seconds | dump MB/s | / shell |',
      '| --- | ---: | ---: | ---: |',
      ...figures.map(
        (figure) =>
          `| ${figure.name} | ${figure.seconds.toFixed(1)} | ${rate(figure).toFixed(1)} | ${(rate(figure) / rate(shell)).toFixed(2)} |`,
      ),
      '',
    ].join('\n'),
  );
}
