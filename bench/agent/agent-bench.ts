// The agent's pipeline against the shell pipelines an administrator would write, on a MariaDB dump of
// BENCH_SIZE_GIB (default 1) and then four times that: MB/s, ratios, and the agent's peak RSS at both sizes.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { dumpCommandFor, mysqlTargetSchema } from '../../agent/engines/index.js';
import { startEmulator } from '../../emulator/index.js';
import { gcloudFor } from '../../test/helpers/gcloud.js';
import { startMariaDb } from '../../test/helpers/mariadb.js';
import { compileBackupChild } from './compile-child.js';
import { BENCH_DATABASE, generateDataset } from './dataset.js';
import { type Measurement, measureAgent, measureShell, shellQuote } from './measure.js';
import { printReport } from './report.js';

const GIB = 1024 ** 3;
const BUCKET = 'bench-backups';

async function benchAtSize(sizeGiB: number, childPath: string): Promise<Measurement[]> {
  const dir = await mkdtemp(join(tmpdir(), 'agent-bench-'));
  const db = await startMariaDb({ bufferPool: '1G' });
  const emulator = await startEmulator({ dataDir: join(dir, 'storage') });
  const gcloud = await gcloudFor(emulator.url);
  try {
    const target = mysqlTargetSchema.parse({
      id: 'bench',
      engine: 'mysql',
      database: BENCH_DATABASE,
      host: db.host,
      port: db.port,
      user: db.user,
      toolPath: '/usr/bin/mariadb-dump',
    });
    const generationStart = performance.now();
    const rows = await generateDataset(db, target, sizeGiB * GIB);
    console.error(
      `# ${sizeGiB} GiB: ${rows} rows generated in ${((performance.now() - generationStart) / 1000).toFixed(0)} s`,
    );

    const storage = new Storage({ apiEndpoint: emulator.url, projectId: 'bench' });
    await storage.createBucket(BUCKET);
    const session = async (name: string) => {
      const [uri] = await storage
        .bucket(BUCKET)
        .file(name)
        .createResumableUpload({ preconditionOpts: { ifGenerationMatch: 0 } });
      return uri;
    };
    const agent = (name: string, algorithm: 'gzip' | 'zstd', level: number) => async () => {
      const objectName = `${name}.sql.${algorithm === 'gzip' ? 'gz' : 'zst'}`;
      const request = {
        runId: 'bench',
        targetId: 'bench',
        objectName,
        uploadUri: await session(objectName),
        compression: { algorithm, level },
      };
      return measureAgent(name, childPath, {
        request,
        target,
        password: db.password,
        zstdPath: '/usr/bin/zstd',
      });
    };
    // The same mariadb-dump invocation the agent makes, with the password in MYSQL_PWD instead of a descriptor.
    const dumpArgs = dumpCommandFor(target).args.map(shellQuote).join(' ');
    const dump = `mariadb-dump ${dumpArgs}`;
    const shellEnv = { ...process.env, MYSQL_PWD: db.password, ...gcloudEnv(gcloud.configDir) };
    const shell = (name: string, script: string) => () => measureShell(name, script, shellEnv);

    const contenders = [
      agent('agent gzip-6', 'gzip', 6),
      shell('dump | gzip -6 > /dev/null', `${dump} | gzip -6 > /dev/null`),
      shell(
        'dump | gzip -6 | gcloud storage cp',
        `${dump} | gzip -6 | gcloud storage cp - gs://${BUCKET}/gcloud-gzip.sql.gz`,
      ),
      agent('agent zstd-3', 'zstd', 3),
      shell('dump | zstd -3 -T0 > /dev/null', `${dump} | zstd -q -3 -T0 > /dev/null`),
      shell(
        'dump | zstd -3 -T0 | gcloud storage cp',
        `${dump} | zstd -q -3 -T0 | gcloud storage cp - gs://${BUCKET}/gcloud-zstd.sql.zst`,
      ),
    ];
    const results: Measurement[] = [];
    for (const run of contenders) {
      // The emulator runs in this process: its CPU time is the storage side's share of a 2-core machine.
      const before = process.cpuUsage();
      const result = await run();
      const used = process.cpuUsage(before);
      result.storageCpuSeconds = (used.user + used.system) / 1e6;
      console.error(`#   ${result.name}: ${result.seconds.toFixed(1)} s`);
      results.push(result);
    }
    return results;
  } finally {
    await gcloud.dispose();
    await emulator.close();
    await db.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function gcloudEnv(configDir: string): NodeJS.ProcessEnv {
  return { CLOUDSDK_CONFIG: configDir, CLOUDSDK_CORE_DISABLE_PROMPTS: '1' };
}

export async function runAgentBench(): Promise<void> {
  const sizeGiB = Number(process.env.BENCH_SIZE_GIB ?? 1);
  if (!(sizeGiB > 0))
    throw new Error(`BENCH_SIZE_GIB must be a positive number, not ${process.env.BENCH_SIZE_GIB}`);
  const sizes = process.env.BENCH_SKIP_LARGE === '1' ? [sizeGiB] : [sizeGiB, sizeGiB * 4];
  const childPath = await compileBackupChild();
  for (const size of sizes) printReport(size, await benchAtSize(size, childPath));
}
