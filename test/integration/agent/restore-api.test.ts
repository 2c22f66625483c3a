// The agent's restore API through a running agent: what it refuses before anything runs (an unknown target, a
// target without restore settings, a scratch database it does not allow or that is the source, a URL outside its
// storage or for another object; logs to replay for a target that is not MySQL's, of another database, that are no
// shipped logs, or with a URL of another object), a second restore of a busy target, a restore's status once it ended, and a
// restore that hangs, cancelled by a signed DELETE.
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queuedRestore } from '../../../agent/restore/restore-status.js';
import { AGENT_PATHS, errorBodySchema } from '../../../core/protocol.js';
import {
  type RestoreRequestInput,
  restoreAcceptedSchema,
  restoreStatusSchema,
} from '../../../core/restore-protocol.js';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { createLocalSigner } from '../../../local/signer.js';
import { startTestAgent, type TestAgent } from '../../helpers/agent.js';
import { runTool } from '../../helpers/stand-in-tools.js';
import { hashesOf } from '../../unit/functions/scripted-agent.js';

const BUCKET = 'restore-api';
const OBJECT = 'nightly/clinic_20261130.sql.gz';

let emulator: RunningEmulator;
let agent: TestAgent;
let dir: string;
let request: RestoreRequestInput;

beforeAll(async () => {
  const signer = createLocalSigner();
  emulator = await startEmulator({ signedUrlKeys: signer.trusted });
  dir = await mkdtemp(join(tmpdir(), 'restore-api-'));
  await runTool('sqlite3', [join(dir, 'clinic.db')], {
    input: 'CREATE TABLE t (a); INSERT INTO t VALUES (1);',
  });
  const dump = await runTool('sqlite3', [join(dir, 'clinic.db'), '.dump']);
  const storage = new Storage({ apiEndpoint: emulator.url, projectId: 'p', credentials: signer.credentials });
  const [bucket] = await storage.createBucket(BUCKET);
  const bytes = (await import('node:zlib')).gzipSync(dump);
  await bucket.file(OBJECT).save(bytes, { resumable: false });
  const [downloadUrl] = await bucket
    .file(OBJECT)
    .getSignedUrl({ version: 'v4', action: 'read', expires: Date.now() + 3_600_000 });
  const { bytesUploaded: size, crc32c, md5 } = hashesOf(bytes);
  // A restore tool that never ends: it reads nothing and sleeps.
  const hanging = join(dir, 'hanging-sqlite3');
  await writeFile(hanging, '#!/bin/sh\nexec sleep 600\n');
  await chmod(hanging, 0o755);
  request = {
    runId: 'run-1',
    targetId: 'clinic',
    objectName: OBJECT,
    downloadUrl,
    expected: { size, crc32c: crc32c as string, md5: md5 as string },
  };
  agent = await startTestAgent({
    targets: [
      {
        id: 'clinic',
        engine: 'sqlite',
        database: 'clinic',
        path: join(dir, 'clinic.db'),
        restore: { scratchDatabases: ['clinic_restore', 'clinic_other'], scratchDir: join(dir, 'scratch') },
      },
      { id: 'plain', engine: 'sqlite', database: 'plain', path: join(dir, 'plain.db') },
      // Never reached: what it is asked to replay is refused before anything runs.
      {
        id: 'ward',
        engine: 'mysql',
        database: 'Ward',
        user: 'backup',
        restore: { user: 'restore', scratchDatabases: ['Ward_restore'] },
      },
      {
        id: 'hung',
        engine: 'sqlite',
        database: 'clinic',
        path: join(dir, 'clinic.db'),
        restore: { scratchDatabases: ['clinic_hung'], scratchDir: join(dir, 'scratch'), toolPath: hanging },
      },
    ],
    uploads: { origin: emulator.url, buckets: [BUCKET] },
  });
});

afterAll(async () => {
  await agent?.remove();
  await emulator?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const post = (body: unknown) =>
  agent.request(AGENT_PATHS.restores, { method: 'POST', body: JSON.stringify(body) });

async function waitForRestore(jobId: string) {
  for (;;) {
    const status = restoreStatusSchema.parse((await agent.request(AGENT_PATHS.restore(jobId))).json);
    if (['succeeded', 'failed', 'interrupted'].includes(status.state)) return status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('refusals before anything runs', () => {
  const otherUrl = () =>
    request.downloadUrl.replace(
      encodeURIComponent(OBJECT).replace('%2F', '/'),
      'nightly/clinic_20261129.sql.gz',
    );
  /** The signed URL of the request, naming another object (its signature no longer fits; never checked here). */
  const urlOf = (name: string) =>
    request.downloadUrl.replace(encodeURIComponent(OBJECT).replace('%2F', '/'), encodeURI(name));
  const LOG = 'binlog/Ward/7/binlog.000042.zst';
  const log = (objectName = LOG, downloadUrl = urlOf(objectName)) => ({
    objectName,
    downloadUrl,
    expected: request.expected,
  });
  const replay = (logs = [log()], database = 'Ward') => ({
    database,
    startPosition: 1311,
    stopAt: '2026-11-30T14:32:00.000Z',
    logs,
  });
  const ward = () => ({
    ...request,
    targetId: 'ward',
    objectName: 'nightly/Ward_20261130.sql.gz',
    downloadUrl: urlOf('nightly/Ward_20261130.sql.gz'),
  });
  it.each([
    ['an unknown target', () => ({ ...request, targetId: 'nope' }), 404, 'TARGET_UNKNOWN'],
    [
      'logs to replay into a SQLite target',
      () => ({ ...request, replay: replay([log('binlog/clinic/7/binlog.000042.zst')], 'clinic') }),
      400,
      'REQUEST_INVALID',
    ],
    [
      "logs of another database than the target's",
      () => ({ ...ward(), replay: replay(undefined, 'Other') }),
      400,
      'REQUEST_INVALID',
    ],
    [
      'a log that is no shipped log of its database',
      () => ({ ...ward(), replay: replay([log('binlog/Other/7/binlog.000042.zst')]) }),
      400,
      'REQUEST_INVALID',
    ],
    [
      "a log's URL of another object",
      () => ({ ...ward(), replay: replay([log(LOG, urlOf('binlog/Ward/7/binlog.000043.zst'))]) }),
      403,
      'DESTINATION_REFUSED',
    ],
    [
      'a moment that is no instant',
      () => ({ ...ward(), replay: { ...replay(), stopAt: 'yesterday' } }),
      400,
      'REQUEST_INVALID',
    ],
    [
      'a target without restore settings',
      () => ({ ...request, targetId: 'plain', objectName: 'plain_20261130.sql.gz' }),
      404,
      'RESTORE_NOT_CONFIGURED',
    ],
    [
      'a scratch database the target does not allow',
      () => ({ ...request, scratchDatabase: 'clinic_prod' }),
      403,
      'SCRATCH_REFUSED',
    ],
    [
      'the source database as the scratch one',
      () => ({ ...request, scratchDatabase: 'clinic' }),
      403,
      'SCRATCH_REFUSED',
    ],
    [
      'an object of another database',
      () => ({ ...request, objectName: 'nightly/app_20261130.sql.gz' }),
      400,
      'REQUEST_INVALID',
    ],
    ['a URL of another object', () => ({ ...request, downloadUrl: otherUrl() }), 403, 'DESTINATION_REFUSED'],
    [
      'a URL outside its storage',
      () => ({ ...request, downloadUrl: request.downloadUrl.replace(emulator.url, 'http://127.0.0.1:9') }),
      403,
      'DESTINATION_REFUSED',
    ],
    ['a body outside the protocol', () => ({ ...request, password: 'hunter2' }), 400, 'REQUEST_INVALID'],
  ])('refuses %s', async (_what, body, status, code) => {
    const response = await post(body());
    expect(response.status, response.text).toBe(status);
    expect(errorBodySchema.parse(response.json).error.code).toBe(code);
    expect(response.text).not.toContain('X-Goog-Signature');
    expect(existsSync(join(dir, 'scratch'))).toBe(false);
    expect(await readdir(join(agent.stateDir, 'restores'))).toEqual([]);
  });
});

describe('an accepted restore', () => {
  it('answers 202 with its job id, refuses a second one of the busy target, and reports its end', async () => {
    const accepted = restoreAcceptedSchema.parse((await post(request)).json);
    expect(accepted).toMatchObject({ runId: 'run-1', targetId: 'clinic', scratchDatabase: 'clinic_restore' });
    const busy = await post({ ...request, runId: 'run-2', scratchDatabase: 'clinic_other' });
    expect(busy.status).toBe(409);
    expect(errorBodySchema.parse(busy.json).error).toMatchObject({
      code: 'JOB_CONFLICT',
      busy: [{ targetId: 'clinic', jobId: accepted.jobId, runId: 'run-1', objectName: OBJECT }],
    });
    const status = await waitForRestore(accepted.jobId);
    expect(status).toMatchObject({
      state: 'succeeded',
      scratch: 'dropped',
      tables: [{ name: 't', rows: 1 }],
      bytesDownloaded: request.expected.size,
    });
    expect(existsSync(join(dir, 'scratch', 'clinic_restore.sqlite'))).toBe(false);
    expect((await agent.request(AGENT_PATHS.restore('no-such-restore'))).status).toBe(404);
  });
});

describe('a restore that hangs', () => {
  it('is stopped by a signed DELETE: it ends failed JOB_CANCELLED and leaves no scratch database', async () => {
    const accepted = restoreAcceptedSchema.parse((await post({ ...request, targetId: 'hung' })).json);
    for (;;) {
      const status = restoreStatusSchema.parse(
        (await agent.request(AGENT_PATHS.restore(accepted.jobId))).json,
      );
      if (status.step === 'restoring') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const cancel = await agent.request(AGENT_PATHS.restore(accepted.jobId), { method: 'DELETE' });
    expect(cancel.status, cancel.text).toBe(200);
    expect(restoreStatusSchema.parse(cancel.json).jobId).toBe(accepted.jobId);
    expect(await waitForRestore(accepted.jobId)).toMatchObject({
      state: 'failed',
      errorCode: 'JOB_CANCELLED',
      scratch: 'dropped',
    });
    expect(existsSync(join(dir, 'scratch', 'clinic_hung.sqlite'))).toBe(false);
    const unknown = await agent.request(AGENT_PATHS.restore('no-such-restore'), { method: 'DELETE' });
    expect(unknown.status).toBe(404);
  });
});

describe('a restore cut off by a stop', () => {
  it('is interrupted at the next start, and the scratch database it left is dropped', async () => {
    const agentDir = await mkdtemp(join(tmpdir(), 'restore-restart-'));
    const scratchDir = join(agentDir, 'scratch');
    await mkdir(join(agentDir, 'state', 'restores'), { recursive: true });
    await mkdir(scratchDir);
    await writeFile(join(scratchDir, 'clinic_restore.sqlite'), 'half a database');
    const left = queuedRestore(
      {
        jobId: 'cut-off',
        runId: 'run-9',
        targetId: 'clinic',
        objectName: OBJECT,
        scratchDatabase: 'clinic_restore',
        keep: false,
      },
      new Date(),
    );
    const running = { ...left, state: 'running', step: 'restoring', scratch: 'created' };
    await writeFile(join(agentDir, 'state', 'restores', 'cut-off.json'), JSON.stringify(running));
    const restarted = await startTestAgent({
      dir: agentDir,
      targets: [
        {
          id: 'clinic',
          engine: 'sqlite',
          database: 'clinic',
          path: join(dir, 'clinic.db'),
          restore: { scratchDatabases: ['clinic_restore'], scratchDir },
        },
      ],
      uploads: { origin: emulator.url, buckets: [BUCKET] },
    });
    try {
      const status = restoreStatusSchema.parse(
        (await restarted.request(AGENT_PATHS.restore('cut-off'))).json,
      );
      expect(status).toMatchObject({
        state: 'interrupted',
        errorCode: 'JOB_INTERRUPTED',
        scratch: 'dropped',
      });
      expect(existsSync(join(scratchDir, 'clinic_restore.sqlite'))).toBe(false);
      const events = (await restarted.logLines()).map((line) => JSON.parse(line).event);
      expect(events).toEqual(expect.arrayContaining(['job.restore-interrupted', 'job.scratch-dropped']));
    } finally {
      await restarted.remove();
    }
  });
});
