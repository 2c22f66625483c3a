// Someone on the network path between the function and the agent: reading the upload address from the signed
// request, uploading their own bytes to it and answering "succeeded" with those bytes' hashes made the function
// record junk as a good backup. Each way of faking the agent's answer is now refused with its own code, the
// target fails and the admin is alerted; the honest path through the same spot still works.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_PATHS, type JobStatus, type RunRequest, runStatusSchema } from '../../../core/protocol.js';
import { generateKeyPair, keyThumbprint, signResponse } from '../../../core/signing/index.js';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { ensureDemoDatabase } from '../../../local/demo-database.js';
import { startTestAgent, type TestAgent } from '../../helpers/agent.js';
import { type GmailStub, startGmailStub } from '../../helpers/gmail-stub.js';
import { type Answer, type Exchange, forward, type Mitm, startMitm } from '../../helpers/mitm.js';
import { hashesOf } from '../../unit/functions/scripted-agent.js';
import { createBucket, deliveredSince, OAUTH, outcomes, startFunction } from './harness.js';

const BUCKET = 'fn-forged';
const JUNK = Buffer.from('not a backup\n'.repeat(64));
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

describe('answers forged on the way from the agent', () => {
  let emulator: RunningEmulator;
  let gmail: GmailStub;
  let mitm: Mitm;
  let agent: TestAgent;
  let dir: string;
  /** The agent's genuine signed answer to the honest run's first status read, kept for replaying. */
  let genuine: Answer | undefined;

  beforeAll(async () => {
    [emulator, gmail] = await Promise.all([startEmulator({ port: 0 }), startGmailStub({ oauth: OAUTH })]);
    await createBucket(emulator.url, BUCKET);
    dir = await mkdtemp(join(tmpdir(), 'forged-'));
    await ensureDemoDatabase(join(dir, 'app.sqlite'));
    mitm = await startMitm(async () => {
      throw new Error('not yet');
    });
    // The function calls the agent at the address the attacker sits on.
    agent = await startTestAgent({
      targets: [{ id: 'app', engine: 'sqlite', database: 'app', path: join(dir, 'app.sqlite') }],
      uploads: { origin: emulator.url, buckets: [BUCKET] },
      config: { publicUrl: mitm.url },
    });
  });
  afterAll(async () => {
    await mitm?.close();
    await Promise.all([agent?.remove(), emulator?.close(), gmail?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const isRunRead = (request: Exchange) => request.method === 'GET' && request.path.startsWith('/v1/runs/');

  /** Finishes the run's upload session with the attacker's bytes, as the attacker did. */
  async function uploadJunk(submitted: Exchange): Promise<RunRequest> {
    const run = JSON.parse(submitted.body.toString()) as RunRequest;
    const uploadUri = run.jobs[0]?.uploadUri ?? '';
    const put = await fetch(uploadUri, {
      method: 'PUT',
      headers: { 'content-range': `bytes 0-${JUNK.length - 1}/${JUNK.length}` },
      body: JUNK,
    });
    expect(put.status).toBe(200);
    return run;
  }

  /** "succeeded", for the run and object the function asked for, with the junk's true hashes. */
  function succeeded(run: RunRequest, jobId: string): string {
    const job = run.jobs[0];
    const now = new Date().toISOString();
    const status: JobStatus = {
      jobId,
      runId: run.runId,
      targetId: job?.targetId ?? '',
      objectName: job?.objectName ?? '',
      state: 'succeeded',
      bytesRead: JUNK.length,
      ...hashesOf(JUNK),
      startedAt: now,
      endedAt: now,
      exitCodes: { dump: 0, compress: 0 },
      stderrTail: [],
    };
    return JSON.stringify({ runId: run.runId, jobs: [status] });
  }

  /** A backup through the attacker's spot; its outcome, error code, alerts and log. */
  async function backup(prefix: string) {
    const harness = await startFunction({
      emulator,
      gmail,
      bucket: BUCKET,
      key: agent.key,
      targets: [{ id: 'app', database: 'app', engine: 'sqlite', agentUrl: mitm.url }],
      env: { BACKUP_PREFIX: prefix },
    });
    const sent = gmail.messages.length;
    const { report } = await harness.backup();
    await harness.close();
    // Whatever the function made of it, the agent's own job (if it got one) is let finish before the next case.
    const run = await agent.request(AGENT_PATHS.run(report.runId));
    for (const job of run.status === 200 ? runStatusSchema.parse(run.json).jobs : []) {
      await agent.waitForJob(job.jobId);
    }
    return {
      outcome: outcomes(report).app,
      code: report.targets[0]?.error?.code,
      mails: await deliveredSince(gmail, sent),
      logs: harness.logs,
    };
  }

  function expectRefused(result: Awaited<ReturnType<typeof backup>>, code: string) {
    expect(result.outcome).toBe('failed');
    expect(result.code).toBe(code);
    expect(result.logs).toContainEqual(
      expect.objectContaining({ event: 'backup.failed', errorCode: code, alerting: true }),
    );
    expect(result.mails).toHaveLength(1);
    expect(result.mails[0]?.text).toContain(code);
  }

  it('backs up through the same spot while it forwards faithfully', async () => {
    mitm.intercept(async (request) => {
      const answer = await forward(request, agent.url);
      if (isRunRead(request) && !genuine) genuine = answer;
      return answer;
    });
    const result = await backup('honest/');
    expect(result.outcome).toBe('succeeded');
    expect(genuine?.headers.signature).toMatch(/^res1=:/);
  });

  it('refuses an unsigned "succeeded" for the attacker\'s bytes: AGENT_RESPONSE_UNSIGNED', async () => {
    let run: RunRequest | undefined;
    mitm.intercept(async (request) => {
      if (request.method === 'POST') {
        run = await uploadJunk(request);
        const accepted = { runId: run.runId, jobs: [{ targetId: 'app', jobId: 'job-forged' }] };
        return { status: 202, headers: JSON_TYPE, body: Buffer.from(JSON.stringify(accepted)) };
      }
      if (isRunRead(request) && run) {
        return { status: 200, headers: JSON_TYPE, body: Buffer.from(succeeded(run, 'job-forged')) };
      }
      return forward(request, agent.url);
    });
    expectRefused(await backup('unsigned/'), 'AGENT_RESPONSE_UNSIGNED');
  });

  it("refuses the agent's genuine answer to another request: AGENT_RESPONSE_UNBOUND", async () => {
    mitm.intercept(async (request) => {
      if (isRunRead(request) && genuine) return genuine;
      return forward(request, agent.url);
    });
    expectRefused(await backup('replayed/'), 'AGENT_RESPONSE_UNBOUND');
  });

  it('refuses "succeeded" signed by a key of the attacker\'s, even under the agent\'s key id: AGENT_RESPONSE_INVALID', async () => {
    const stranger = generateKeyPair().privateKey;
    for (const [prefix, id] of [
      ['own-key/', keyThumbprint(stranger)],
      ['borrowed-id/', keyThumbprint(agent.config.responseKey.privateKey)],
    ] as const) {
      let run: RunRequest | undefined;
      let jobId = '';
      mitm.intercept(async (request) => {
        if (request.method === 'POST') {
          run = await uploadJunk(request);
          const answer = await forward(request, agent.url);
          jobId = JSON.parse(answer.body.toString()).jobs[0].jobId;
          return answer;
        }
        if (isRunRead(request) && run) {
          const body = succeeded(run, jobId);
          const unsigned = { status: 200, headers: JSON_TYPE, body };
          const signed = {
            method: request.method,
            url: `${mitm.url}${request.path}`,
            headers: request.headers,
            body: '',
          };
          const signature = signResponse(unsigned, signed, { id, privateKey: stranger }, new Date());
          return { status: 200, headers: { ...JSON_TYPE, ...signature }, body: Buffer.from(body) };
        }
        return forward(request, agent.url);
      });
      expectRefused(await backup(prefix), 'AGENT_RESPONSE_INVALID');
    }
  });

  it('refuses a genuine answer whose body was changed to "succeeded": AGENT_RESPONSE_INVALID', async () => {
    let run: RunRequest | undefined;
    mitm.intercept(async (request) => {
      if (request.method === 'POST') {
        run = await uploadJunk(request);
        return forward(request, agent.url);
      }
      const answer = await forward(request, agent.url);
      if (!isRunRead(request) || !run) return answer;
      // The agent's signature headers kept, its words changed.
      const jobId = runStatusSchema.parse(JSON.parse(answer.body.toString())).jobs[0]?.jobId ?? '';
      return { ...answer, body: Buffer.from(succeeded(run, jobId)) };
    });
    expectRefused(await backup('altered/'), 'AGENT_RESPONSE_INVALID');
  });
});
