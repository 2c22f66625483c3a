// The one limit of a job, through a running agent: a backup's and a restore's status carries, once it runs, the
// deadline its target's maxDurationMinutes gives it — what the function's watchdog reads to tell slow from stuck.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_PATHS } from '../../../core/protocol.js';
import { restoreAcceptedSchema, restoreStatusSchema } from '../../../core/restore-protocol.js';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { createLocalSigner } from '../../../local/signer.js';
import { openUploadSession, startTestAgent, type TestAgent } from '../../helpers/agent.js';
import { hashesOf } from '../../unit/functions/scripted-agent.js';

const BUCKET = 'job-deadline';
const BACKUP = 'clinic_20261201.sql.gz';
const BYTES = gzipSync('CREATE TABLE t (a);\n');
let downloadUrl: string;
let emulator: RunningEmulator;
let agent: TestAgent;
let dir: string;

beforeAll(async () => {
  const signer = createLocalSigner();
  emulator = await startEmulator({ signedUrlKeys: signer.trusted });
  const storage = new Storage({ apiEndpoint: emulator.url, projectId: 'p', credentials: signer.credentials });
  const [bucket] = await storage.createBucket(BUCKET);
  await bucket.file(BACKUP).save(BYTES, { resumable: false });
  [downloadUrl] = await bucket
    .file(BACKUP)
    .getSignedUrl({ version: 'v4', action: 'read', expires: Date.now() + 3_600_000 });
  dir = await mkdtemp(join(tmpdir(), 'job-deadline-'));
  // Tools that never end: a dump that writes and a restore tool that sleeps.
  const slow = join(dir, 'slow-dump');
  await writeFile(slow, '#!/bin/sh\nwhile :; do echo "insert into t values (42);"; sleep 0.02; done\n');
  const hanging = join(dir, 'hanging-sqlite3');
  await writeFile(hanging, '#!/bin/sh\nexec sleep 600\n');
  await Promise.all([chmod(slow, 0o755), chmod(hanging, 0o755)]);
  agent = await startTestAgent({
    targets: [
      { id: 'records', engine: 'mongodb', database: 'records', toolPath: slow, maxDurationMinutes: 7 },
      {
        id: 'clinic',
        engine: 'sqlite',
        database: 'clinic',
        path: join(dir, 'clinic.db'),
        restore: {
          scratchDatabases: ['clinic_scratch'],
          scratchDir: join(dir, 'scratch'),
          toolPath: hanging,
          maxDurationMinutes: 11,
        },
      },
    ] as never,
    uploads: { origin: emulator.url, buckets: [BUCKET] },
  });
});

afterAll(async () => {
  await agent?.remove();
  await emulator?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const minutesBetween = (from: string | undefined, to: string | undefined) =>
  (Date.parse(to ?? '') - Date.parse(from ?? '')) / 60_000;

describe('a job that runs', () => {
  it("carries its deadline: its start plus its target's maxDurationMinutes", async () => {
    const objectName = 'records_20261201.archive.gz';
    const uploadUri = await openUploadSession(emulator.url, BUCKET, objectName);
    const jobId = await agent.submit({
      runId: 'run-deadline',
      targetId: 'records',
      objectName,
      uploadUri,
      compression: { algorithm: 'gzip' },
    });
    let job = await agent.getJob(jobId);
    for (let i = 0; job.state !== 'running' && i < 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      job = await agent.getJob(jobId);
    }
    expect(job.state).toBe('running');
    expect(minutesBetween(job.startedAt, job.deadline)).toBe(7);
    await agent.request(AGENT_PATHS.job(jobId), { method: 'DELETE' });
  });

  it("carries it for a restore too, from the target's restore settings", async () => {
    const answer = await agent.request(AGENT_PATHS.restores, {
      method: 'POST',
      body: JSON.stringify({
        runId: 'run-restore-deadline',
        targetId: 'clinic',
        objectName: BACKUP,
        downloadUrl,
        expected: { size: BYTES.length, crc32c: hashesOf(BYTES).crc32c, md5: hashesOf(BYTES).md5 },
      }),
    });
    expect(answer.status, answer.text).toBe(202);
    const { jobId } = restoreAcceptedSchema.parse(answer.json);
    let status = restoreStatusSchema.parse((await agent.request(AGENT_PATHS.restore(jobId))).json);
    for (let i = 0; status.state === 'queued' && i < 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      status = restoreStatusSchema.parse((await agent.request(AGENT_PATHS.restore(jobId))).json);
    }
    expect(status.startedAt).toBeDefined();
    expect(minutesBetween(status.startedAt, status.deadline)).toBe(11);
    await agent.request(AGENT_PATHS.restore(jobId), { method: 'DELETE' });
  });
});
