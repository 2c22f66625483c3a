// The agent's pipeline against the shell pipelines an administrator would write, on a MariaDB dump of
// BENCH_SIZE_GIB (default 1) and then four times that, into the discard sink and into the emulator.

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Bucket, Storage } from '@google-cloud/storage';
import { dumpCommandFor } from '../../agent/engines/index.js';
import { startEmulator } from '../../emulator/index.js';
import { gcloudFor } from '../../test/helpers/gcloud.js';
import { startMariaDb } from '../../test/helpers/mariadb.js';
import { startDiscardSink } from '../discard-sink.js';
import { CONTENDERS, type Contender, type ContenderId, describeContender } from './contenders.js';
import { benchTarget, generateDataset } from './dataset.js';
import {
  type Measurement,
  measureAgent,
  measureShell,
  processCpuSeconds,
  serverPid,
  shellQuote,
} from './measure.js';

const runTool = promisify(execFile);
const GIB = 1024 ** 3;
const BUCKET = 'bench-backups';

/**
 * Deletes what a contender stored, if anything. Conditioned on its generation, the delete is idempotent, so the
 * client retries it after a dropped connection; a bare delete is not, and one ECONNRESET would end the bench.
 */
async function discardStored(bucket: Bucket, name: string): Promise<void> {
  const file = bucket.file(name);
  const [found] = await file.get().catch((error: { code?: number }) => {
    if (error.code === 404) return [null];
    throw error;
  });
  if (found) await file.delete({ ifGenerationMatch: found.metadata.generation });
}

function objectNameOf(id: ContenderId): string {
  const contender: Contender = CONTENDERS[id];
  const zstd = contender.kind === 'agent' ? contender.algorithm === 'zstd' : contender.extension === 'zst';
  const age = contender.kind === 'agent' && contender.encrypted ? '.age' : '';
  return `${id}.sql.${zstd ? 'zst' : 'gz'}${age}`;
}

/** A key made with age-keygen at `file`, and its recipient. */
async function benchRecipient(file: string): Promise<string> {
  await runTool('age-keygen', ['-o', file]);
  return (await runTool('age-keygen', ['-y', file])).stdout.trim();
}

export interface SizeResult {
  sizeGiB: number;
  results: Partial<Record<ContenderId, Measurement>>;
}

/** Each run of `ids` on a fresh database of `sizeGiB`, one after the other; progress on stderr. */
export async function benchAtSize(
  sizeGiB: number,
  ids: ContenderId[],
  childPath: string,
): Promise<SizeResult> {
  const dir = await mkdtemp(join(tmpdir(), 'agent-bench-'));
  const db = await startMariaDb({ bufferPool: '1G' });
  const emulator = await startEmulator({ dataDir: join(dir, 'storage') });
  const sink = await startDiscardSink();
  const gcloud = { emulator: await gcloudFor(emulator.url), sink: await gcloudFor(sink.url) };
  try {
    const target = benchTarget(db);
    const generationStart = performance.now();
    const rows = await generateDataset(db, target, sizeGiB * GIB);
    const generated = ((performance.now() - generationStart) / 1000).toFixed(0);
    console.error(`# ${sizeGiB} GiB: ${rows} rows generated in ${generated} s`);

    // Two recipients, as a VM's agent encrypts for: age wraps the file key once per recipient, then streams.
    const recipients = await Promise.all(
      ['agent', 'admin'].map((who) => benchRecipient(join(dir, `${who}.key`))),
    );
    const storage = new Storage({ apiEndpoint: emulator.url, projectId: 'bench' });
    await storage.createBucket(BUCKET);
    const bucket = storage.bucket(BUCKET);
    // The same mariadb-dump invocation the agent makes, with the password in MYSQL_PWD instead of a descriptor.
    const dump = `mariadb-dump ${dumpCommandFor(target).args.map(shellQuote).join(' ')}`;

    const run = async (id: ContenderId): Promise<Measurement> => {
      const contender: Contender = CONTENDERS[id];
      const objectName = objectNameOf(id);
      if (contender.kind === 'agent') {
        const uploadUri =
          contender.to === 'sink'
            ? sink.openSession(BUCKET, objectName)
            : (
                await bucket
                  .file(objectName)
                  .createResumableUpload({ preconditionOpts: { ifGenerationMatch: 0 } })
              )[0];
        const request = {
          runId: 'bench',
          targetId: 'bench',
          objectName,
          uploadUri,
          compression: { algorithm: contender.algorithm, level: contender.level },
          ...(contender.encrypted && { encrypted: true }),
        };
        return measureAgent(id, childPath, {
          request,
          target,
          password: db.password,
          zstdPath: '/usr/bin/zstd',
          pigzPath: 'pigz',
          ...(contender.encrypted && { recipients }),
        });
      }
      const compress = contender.compress ? ` | ${contender.compress}` : '';
      const upload = contender.to ? ` | gcloud storage cp - gs://${BUCKET}/${objectName}` : ' > /dev/null';
      const configDir = contender.to ? gcloud[contender.to].configDir : undefined;
      return measureShell(id, `${dump}${compress}${upload}`, {
        ...process.env,
        MYSQL_PWD: db.password,
        ...(configDir ? { CLOUDSDK_CONFIG: configDir, CLOUDSDK_CORE_DISABLE_PROMPTS: '1' } : {}),
      });
    };

    const server = await serverPid(db.socket);
    const results: SizeResult['results'] = {};
    for (const id of ids) {
      // The sink and the emulator run in this process: its CPU time is the storage side's share of the machine.
      const serverBefore = await processCpuSeconds(server);
      const before = process.cpuUsage();
      const sinkBefore = sink.receivedBytes;
      const result = await run(id);
      const used = process.cpuUsage(before);
      const intoSink = sink.receivedBytes - sinkBefore;
      const contender: Contender = CONTENDERS[id];
      // A figure counts only if the bytes really went where the contender says.
      if (contender.to === 'sink' && (intoSink === 0 || (result.outputBytes ?? intoSink) !== intoSink)) {
        throw new Error(
          `${id}: the sink received ${intoSink} bytes, the pipeline reported ${result.outputBytes}`,
        );
      }
      result.storageCpuSeconds = (used.user + used.system) / 1e6;
      result.serverCpuSeconds = (await processCpuSeconds(server)) - serverBefore;
      console.error(`#   ${describeContender(id)}: ${result.seconds.toFixed(1)} s`);
      results[id] = result;
      // Keep the disk from filling at large sizes: what the emulator stored has been measured.
      await discardStored(bucket, objectNameOf(id));
    }
    return { sizeGiB, results };
  } finally {
    await Promise.all([gcloud.emulator.dispose(), gcloud.sink.dispose()]);
    await Promise.all([sink.close(), emulator.close(), db.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
}
