// A job's stall clock counts only its source's own silence. A restore tool that stops reading for longer than
// stallMinutes — mid-way, or after its whole input while it builds indexes — holds the download back, and an upload
// that waits on the network holds the dump back: that time is not a stall. A download whose answer stops coming, or
// a dump that writes nothing, for that long is stalled, and the job says which.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_PATHS, runAcceptedSchema } from '../../../core/protocol.js';
import { restoreAcceptedSchema, restoreStatusSchema } from '../../../core/restore-protocol.js';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { createLocalSigner } from '../../../local/signer.js';
import { oneJobRun, openUploadSession, startTestAgent, type TestAgent } from '../../helpers/agent.js';
import { createStandIns, type StandIns } from '../../helpers/stand-in-tools.js';
import { type StorageProxy, startStorageProxy } from '../../helpers/storage-proxy.js';
import { hashesOf } from '../../unit/functions/scripted-agent.js';

const BUCKET = 'stalls';
/** 1.2 s: each tool, and the network, below keeps its job waiting more than twice as long. */
const STALL_MINUTES = 0.02;

let emulator: RunningEmulator;
let proxy: StorageProxy;
let tools: StandIns;
let agent: TestAgent;
let dir: string;
let storage: Storage;

/** A restore target whose restore tool is `tool`, or sqlite3 itself. */
function target(id: string, tool?: string) {
  return {
    id,
    engine: 'sqlite' as const,
    database: 'clinic',
    path: join(dir, 'clinic.db'),
    restore: {
      scratchDatabases: [`${id}_scratch`],
      scratchDir: join(dir, 'scratch'),
      stallMinutes: STALL_MINUTES,
      ...(tool && { toolPath: tool }),
    },
  };
}

beforeAll(async () => {
  const signer = createLocalSigner();
  emulator = await startEmulator({ signedUrlKeys: signer.trusted });
  proxy = await startStorageProxy(emulator.url);
  tools = await createStandIns();
  dir = await mkdtemp(join(tmpdir(), 'restore-stall-'));
  storage = new Storage({ apiEndpoint: proxy.url, projectId: 'p', credentials: signer.credentials });
  await storage.createBucket(BUCKET);
  // The validation's queries run read-only and at once; the restore itself is held up as each test needs.
  const wrap = (name: string, restoring: string) =>
    tools.script(name, `case "$*" in *-readonly*) exec sqlite3 "$@" ;; esac\n${restoring}`);
  const pausing = await wrap('pausing-sqlite3', 'sleep 3\nexec sqlite3 "$@"');
  const indexing = await wrap(
    'indexing-sqlite3',
    'input="$(mktemp)"\ncat >"$input"\nsleep 3\nsqlite3 "$@" <"$input"\ncode=$?\nrm -f "$input"\nexit $code',
  );
  // 4 MiB of random blobs, dumped as 8 MiB of hex: far more than the pipes and the upload's two chunks hold.
  execFileSync('sqlite3', [
    join(dir, 'big.db'),
    'CREATE TABLE b (x); INSERT INTO b SELECT randomblob(65536) FROM generate_series(1, 64);',
  ]);
  execFileSync('sqlite3', [join(dir, 'small.db'), 'CREATE TABLE s (a); INSERT INTO s VALUES (1);']);
  const silent = await tools.script('silent-sqlite3', 'exec sleep 5');
  const backups = (id: string, path: string, tool?: string) => ({
    id,
    engine: 'sqlite' as const,
    database: id,
    path,
    stallMinutes: STALL_MINUTES,
    ...(tool && { toolPath: tool }),
  });
  agent = await startTestAgent({
    targets: [
      target('paused', pausing),
      target('indexing', indexing),
      target('network'),
      backups('big', join(dir, 'big.db')),
      backups('small', join(dir, 'small.db')),
      backups('silent', join(dir, 'big.db'), silent),
    ],
    uploads: { origin: proxy.url, buckets: [BUCKET] },
    config: { chunkSize: 256 * 1024 },
  });
});

afterAll(async () => {
  await agent?.remove();
  await Promise.all([proxy?.close(), emulator?.close(), tools?.remove()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A dump of `rows` rows that do not compress, stored as a backup of clinic; the restore request for it. */
async function backup(name: string, rows: number) {
  const inserts = Array.from(
    { length: rows },
    () => `INSERT INTO t VALUES('${randomBytes(600).toString('base64')}');`,
  );
  const object = gzipSync(`BEGIN TRANSACTION;\nCREATE TABLE t (a);\n${inserts.join('\n')}\nCOMMIT;\n`);
  const file = storage.bucket(BUCKET).file(name);
  await file.save(object, { resumable: false });
  const [downloadUrl] = await file.getSignedUrl({
    version: 'v4',
    action: 'read',
    expires: Date.now() + 3_600_000,
  });
  const { bytesUploaded: size, crc32c, md5 } = hashesOf(object);
  return { objectName: name, downloadUrl, expected: { size, crc32c: crc32c as string, md5: md5 as string } };
}

async function restore(targetId: string, object: Awaited<ReturnType<typeof backup>>) {
  const answer = await agent.request(AGENT_PATHS.restores, {
    method: 'POST',
    body: JSON.stringify({ runId: `run-${targetId}`, targetId, ...object }),
  });
  const { jobId } = restoreAcceptedSchema.parse(answer.json);
  for (;;) {
    const status = restoreStatusSchema.parse((await agent.request(AGENT_PATHS.restore(jobId))).json);
    if (['succeeded', 'failed', 'interrupted'].includes(status.state)) return status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the stall clock of a restore', () => {
  it('does not run while the restore tool stops reading mid-way: the download is held, not stalled', async () => {
    // Several MiB: far more than the pipes and streams between the download and the tool hold.
    const status = await restore('paused', await backup('clinic_20260101.sql.gz', 6000));
    expect(status, JSON.stringify(status)).toMatchObject({ state: 'succeeded' });
    expect(status.tables).toEqual([expect.objectContaining({ name: 't', rows: 6000 })]);
  });

  it('does not run once the download has ended, while the tool works on what it read', async () => {
    const status = await restore('indexing', await backup('clinic_20260102.sql.gz', 10));
    expect(status, JSON.stringify(status)).toMatchObject({ state: 'succeeded' });
  });

  it('runs while the answer stops coming: JOB_STALLED, naming the download, not the dump', async () => {
    const object = await backup('clinic_20260103.sql.gz', 10);
    proxy.spoil({ pause: { at: 1000, ms: 5000 } });
    try {
      const status = await restore('network', object);
      expect(status).toMatchObject({
        state: 'failed',
        errorCode: 'JOB_STALLED',
        errorMessage: `no byte of the backup arrived for ${STALL_MINUTES} minutes`,
        scratch: 'dropped',
      });
    } finally {
      proxy.spoil(undefined);
    }
  });
});

async function backUp(targetId: string) {
  const objectName = `${targetId}_20260101.sql.gz`;
  const uploadUri = await openUploadSession(proxy.url, BUCKET, objectName);
  const accepted = await agent.postRun(
    oneJobRun({
      runId: `run-${targetId}`,
      targetId,
      objectName,
      uploadUri,
      compression: { algorithm: 'gzip' },
    }),
  );
  const jobId = runAcceptedSchema.parse(accepted.json).jobs[0]?.jobId as string;
  return agent.waitForJob(jobId);
}

describe('the stall clock of a backup', () => {
  it('does not run while the upload waits on the network: the dump is held, not stalled', async () => {
    const fault = emulator.faults.add({ method: 'PUT', match: /upload_id=/, nth: 3, delayMs: 3000 });
    try {
      const status = await backUp('big');
      expect(status, JSON.stringify(status)).toMatchObject({ state: 'succeeded' });
      expect(fault.matched).toBeGreaterThanOrEqual(3);
    } finally {
      emulator.faults.clear();
    }
  });

  it('does not run once the dump has ended, while its last chunk goes up', async () => {
    emulator.faults.add({ method: 'PUT', match: /upload_id=/, delayMs: 3000 });
    try {
      const status = await backUp('small');
      expect(status, JSON.stringify(status)).toMatchObject({ state: 'succeeded' });
    } finally {
      emulator.faults.clear();
    }
  });

  it('runs while the dump writes nothing: JOB_STALLED, naming the dump', async () => {
    expect(await backUp('silent')).toMatchObject({
      state: 'failed',
      errorCode: 'JOB_STALLED',
      errorMessage: `the dump wrote nothing for ${STALL_MINUTES} minutes`,
    });
  });
});
