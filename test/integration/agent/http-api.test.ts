// The agent's HTTP API through a running agent: signatures, refusals that start nothing, conflicts, look-ups.
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_PATHS, errorBodySchema, type JobRequest, runAcceptedSchema } from '../../../core/protocol.js';
import { contentDigest } from '../../../core/signing/index.js';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import {
  oneJobRun,
  openUploadSession,
  refusalSummary,
  type SignedRequestOptions,
  startTestAgent,
  type TestAgent,
  testSigningKey,
} from '../../helpers/agent.js';
import { archiveEofBlock, printfBytes } from '../../helpers/mongo-archive.js';
import { createStandIns, type StandIns } from '../../helpers/stand-in-tools.js';

const BUCKET = 'api-bucket';

describe('agent HTTP API', () => {
  let emulator: RunningEmulator;
  let tools: StandIns;
  let agent: TestAgent;
  let started: string;
  let release: string;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    tools = await createStandIns();
    started = join(tools.dir, 'started');
    release = join(tools.dir, 'release');
    // Marks that it ran, writes a line, then keeps writing until released: a busy target for as long as a test needs.
    // Released, it closes its archive as mongodump does.
    const dump = await tools.script(
      'slow-dump',
      `touch '${started}'\necho "insert into t values (0);"\nwhile [ ! -e '${release}' ]; do echo "insert into t values (1);"; sleep 0.05; done\n${printfBytes(archiveEofBlock('slow', 't'))}`,
    );
    agent = await startTestAgent({
      targets: [{ id: 'slow', engine: 'mongodb', database: 'slow', toolPath: dump }],
      uploads: { origin: emulator.url, buckets: [BUCKET] },
    });
  });
  afterAll(async () => {
    await writeFile(release, '');
    await agent?.remove();
    await emulator?.close();
    await tools?.remove();
  });

  async function jobRequest(targetId: string, runId: string): Promise<JobRequest> {
    const objectName = `${targetId}_${runId}.archive.gz`;
    return {
      runId,
      targetId,
      objectName,
      uploadUri: await openUploadSession(emulator.url, BUCKET, objectName),
      compression: { algorithm: 'gzip' },
    };
  }

  const jobFiles = async () => readdir(join(agent.stateDir, 'jobs'));

  it('answers /healthz unsigned with nothing but liveness', async () => {
    const response = await fetch(`${agent.url}${AGENT_PATHS.health}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  describe('refuses every bad signature with the same bare 401, logging the reason', () => {
    const stranger = testSigningKey('other-key').key;
    const now = () => new Date();
    const minutes = (n: number) => new Date(Date.now() + n * 60_000);
    const cases: [string, string, Partial<SignedRequestOptions>][] = [
      ['unknown key id', 'SIGNATURE_UNKNOWN_KEY', { key: stranger }],
      [
        'tampered body',
        'DIGEST_MISMATCH',
        {
          tamper: (r) => {
            r.body = r.body.replace('"runId":"r-1"', '"runId":"r-2"');
          },
        },
      ],
      [
        'tampered body with its digest recomputed',
        'SIGNATURE_INVALID',
        {
          tamper: (r) => {
            r.body = r.body.replace('"runId":"r-1"', '"runId":"r-2"');
            r.headers['content-digest'] = contentDigest(r.body);
          },
        },
      ],
      [
        'tampered path',
        'SIGNATURE_INVALID',
        {
          method: 'GET',
          tamper: (r) => {
            r.url += '/some-job';
          },
        },
      ],
      [
        'tampered method',
        'SIGNATURE_INVALID',
        {
          method: 'GET',
          tamper: (r) => {
            r.method = 'POST';
          },
        },
      ],
      [
        'tampered content-type',
        'SIGNATURE_INVALID',
        {
          tamper: (r) => {
            r.headers['content-type'] = 'text/plain';
          },
        },
      ],
      [
        'created too far in the past',
        'SIGNATURE_CREATED_IN_PAST',
        { now: minutes(-10), expiresInSeconds: 3600 },
      ],
      ['created too far in the future', 'SIGNATURE_CREATED_IN_FUTURE', { now: minutes(5) }],
      ['expired', 'SIGNATURE_EXPIRED', { now: minutes(-2), expiresInSeconds: 30 }],
      [
        'missing signature headers',
        'SIGNATURE_MISSING',
        {
          tamper: (r) => {
            delete r.headers.signature;
            delete r.headers['signature-input'];
          },
        },
      ],
      [
        'malformed signature input',
        'SIGNATURE_MALFORMED',
        {
          tamper: (r) => {
            r.headers['signature-input'] = 'sig1=(';
          },
        },
      ],
      [
        'forged signature bytes',
        'SIGNATURE_INVALID',
        {
          tamper: (r) => {
            r.headers.signature = `sig1=:${Buffer.alloc(64, 1).toString('base64')}:`;
          },
        },
      ],
    ];
    const bodies = new Set<string>();

    it.each(cases)('%s', async (_, code, options) => {
      const request = oneJobRun({
        runId: 'r-1',
        targetId: 'slow',
        objectName: 'slow_r-1.archive.gz',
        uploadUri: `${emulator.url}/upload/storage/v1/b/${BUCKET}/o?uploadType=resumable&upload_id=x`,
        compression: { algorithm: 'gzip' },
      });
      const before = (await agent.logLines()).length;
      const response = await agent.request(AGENT_PATHS.runs, {
        method: 'POST',
        body: JSON.stringify(request),
        now: now(),
        ...options,
      });
      expect(response.status).toBe(401);
      expect(errorBodySchema.parse(response.json).error.code).toBe('UNAUTHENTICATED');
      bodies.add(response.text);
      expect(bodies.size).toBe(1);
      // Counted, then summarised within the helper's refusal window.
      expect(await agent.waitForLog(refusalSummary(code), before)).toMatchObject({ level: 'warning' });
      expect(existsSync(started)).toBe(false);
    });

    it('a replayed nonce', async () => {
      let replay: { method: string; url: string; headers: Record<string, string>; body: string } | undefined;
      const first = await agent.request(AGENT_PATHS.run('r-1'), {
        tamper: (r) => {
          replay = structuredClone(r);
        },
      });
      expect(first.status).toBe(404);
      if (!replay) throw new Error('no request captured');
      const again = await fetch(replay.url, { method: replay.method, headers: replay.headers });
      expect(again.status).toBe(401);
      expect(await again.text()).toBe([...bodies][0]);
      await agent.waitForLog(refusalSummary('SIGNATURE_REPLAYED'));
    });
  });

  it('refuses malformed bodies (naming the field), unknown targets and oversized bodies, starting nothing', async () => {
    const good = {
      runId: 'r-2',
      targetId: 'slow',
      objectName: 'x',
      uploadUri: `${emulator.url}/upload/storage/v1/b/${BUCKET}/o?uploadType=resumable&upload_id=x`,
      compression: { algorithm: 'gzip' },
    } as const;
    const post = (body: string) => agent.request(AGENT_PATHS.runs, { method: 'POST', body });
    const run = (job: Record<string, unknown>) => JSON.stringify({ ...oneJobRun(good), jobs: [job] });

    const missing = await post(run({ ...good, runId: undefined, objectName: undefined }));
    expect(missing.status).toBe(400);
    expect(missing.json).toMatchObject({
      error: { code: 'REQUEST_INVALID', message: expect.stringMatching(/jobs\.0\.objectName/) },
    });
    const badAlgorithm = await post(run({ ...good, runId: undefined, compression: { algorithm: 'xz' } }));
    expect(badAlgorithm.json).toMatchObject({
      error: { message: expect.stringMatching(/jobs\.0\.compression\.algorithm/) },
    });
    expect((await post('{not json')).status).toBe(400);

    const unknown = await post(JSON.stringify(oneJobRun({ ...good, targetId: 'nope' })));
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ error: { code: 'TARGET_UNKNOWN' } });

    const huge = await post(JSON.stringify(oneJobRun({ ...good, objectName: 'x'.repeat(20_000) })));
    expect(huge.status).toBe(413);
    expect(huge.json).toMatchObject({ error: { code: 'BODY_TOO_LARGE' } });

    expect(await jobFiles()).toEqual([]);
    expect(existsSync(started)).toBe(false);
  });

  it('refuses to send a dump anywhere but a session of its storage and buckets, before anything runs', async () => {
    const elsewhere = [
      'http://127.0.0.1:9/upload/storage/v1/b/api-bucket/o?uploadType=resumable&upload_id=x',
      `${emulator.url}/upload/storage/v1/b/other-bucket/o?uploadType=resumable&upload_id=x`,
      `${emulator.url}/upload/storage/v1/b/${BUCKET}/o?uploadType=media&name=x`,
    ];
    for (const uploadUri of elsewhere) {
      const response = await agent.postRun(
        oneJobRun({
          runId: 'r-3',
          targetId: 'slow',
          objectName: 'x',
          uploadUri,
          compression: { algorithm: 'gzip' },
        }),
      );
      expect(response.status).toBe(403);
      expect(response.json).toMatchObject({ error: { code: 'DESTINATION_REFUSED' } });
      expect(response.text).not.toContain('upload_id');
    }
    const logged = (await agent.logLines()).map((line) => JSON.parse(line));
    expect(logged.filter((line) => line.errorCode === 'DESTINATION_REFUSED')).toHaveLength(3);
    expect(await jobFiles()).toEqual([]);
    expect(existsSync(started)).toBe(false);
  });

  it('answers 404 for unknown routes, runs and jobs', async () => {
    expect((await fetch(`${agent.url}/v1/other`)).status).toBe(404);
    const job = await agent.request(AGENT_PATHS.job('no-such-job'));
    expect(job.status).toBe(404);
    expect(job.json).toMatchObject({ error: { code: 'JOB_UNKNOWN' } });
    expect((await agent.request(AGENT_PATHS.run('no-such-run'))).status).toBe(404);
    expect((await agent.request('/v1/jobs?targetId=bad%20id&objectName=x')).status).toBe(400);
    expect((await agent.request('/v1/jobs/%E0%A4%A')).status).toBe(404);
    expect((await fetch(`${agent.url}${AGENT_PATHS.health}`)).status).toBe(200);
  });

  it('accepts a run at once, refuses another on the busy target with 409 naming the job, finds it, cancels it', async () => {
    const request = await jobRequest('slow', 'run-busy-1');
    const accepted = await agent.postRun(oneJobRun(request));
    expect(accepted.status).toBe(202);
    const jobId = runAcceptedSchema.parse(accepted.json).jobs[0]?.jobId as string;

    const conflict = await agent.postRun(oneJobRun(await jobRequest('slow', 'run-busy-2')));
    expect(conflict.status).toBe(409);
    expect(errorBodySchema.parse(conflict.json).error).toMatchObject({
      code: 'JOB_CONFLICT',
      busy: [{ targetId: 'slow', jobId, runId: 'run-busy-1', objectName: request.objectName }],
    });

    const run = await agent.request(AGENT_PATHS.run('run-busy-1'));
    expect(run.status).toBe(200);
    expect(run.json).toMatchObject({ runId: 'run-busy-1', jobs: [{ jobId, targetId: 'slow' }] });
    const found = await agent.request(AGENT_PATHS.findJob('slow', request.objectName));
    expect(found.json).toMatchObject({ jobId, runId: 'run-busy-1' });
    expect((await agent.request(AGENT_PATHS.findJob('slow', 'other.archive.gz'))).status).toBe(404);
    await expect.poll(() => existsSync(started)).toBe(true);

    const cancelled = await agent.request(AGENT_PATHS.job(jobId), { method: 'DELETE' });
    expect(cancelled.status).toBe(200);
    const done = await agent.waitForJob(jobId);
    expect(done).toMatchObject({ state: 'failed', errorCode: 'JOB_CANCELLED' });
    expect(await jobFiles()).toEqual([`${jobId}.json`]);
    const probe = await fetch(request.uploadUri, {
      method: 'PUT',
      headers: { 'content-range': 'bytes */*' },
    });
    expect(probe.status).toBe(499);
  });

  it('runs a job to success once its target is free', async () => {
    await writeFile(release, '');
    const jobId = await agent.submit(await jobRequest('slow', 'run-free'));
    const done = await agent.waitForJob(jobId);
    expect(done).toMatchObject({ state: 'succeeded', exitCodes: { dump: 0 } });
    expect(done.bytesRead).toBeGreaterThan(0);
  });
});
