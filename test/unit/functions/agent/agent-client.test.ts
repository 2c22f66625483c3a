// The agent client's errors, against a signed stand-in agent on a loopback port: each failure has its own code and
// carries the agent's host, the HTTP status, the agent's own code and the job or run asked about as fields, with
// the sentence an admin reads unchanged.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupError } from '../../../../core/errors.js';
import { generateKeyPair, keyThumbprint, signResponse } from '../../../../core/signing/index.js';
import { type AgentClient, agentClientFor } from '../../../../functions/agent/agent-client.js';
import { AgentError, agentErrorFields } from '../../../../functions/agent/agent-error.js';
import { systemClock } from '../../../../functions/run/clock.js';

/** What the stand-in answers next: a status and a body, signed with its key unless `unsigned`. */
interface Answer {
  status: number;
  body: string;
  unsigned?: boolean;
  /** Answers this much later. */
  delayMs?: number;
}

const agentKeys = generateKeyPair();
const agentKey = { id: keyThumbprint(agentKeys.privateKey), privateKey: agentKeys.privateKey };
const functionKeys = generateKeyPair();
let next: Answer = { status: 200, body: '{}' };
let server: Server;
let url: string;
let client: AgentClient;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    for await (const _chunk of req) {
      // The request body is not read: the answer is the test's.
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([name, value]) => [name, String(value)]),
    );
    const request = { method: req.method ?? 'GET', url: `${url}${req.url}`, headers, body: '' };
    const answer = { status: next.status, headers: { 'content-type': 'application/json' }, body: next.body };
    const signature = next.unsigned ? {} : signResponse(answer, request, agentKey, new Date());
    await new Promise((resolve) => setTimeout(resolve, next.delayMs ?? 0));
    res.writeHead(next.status, { ...answer.headers, ...signature });
    res.end(next.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const publicKey = agentKeys.publicKey;
  client = agentClientFor(
    {
      signingKey: { id: 'fn-test', privateKey: functionKeys.privateKey },
      agentTimeoutSeconds: 5,
      agents: [{ url, publicKey }],
    },
    { fetch: globalThis.fetch, clock: systemClock },
  );
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The error a call ends with, which must be an AgentError. */
async function failure(call: () => Promise<unknown>): Promise<AgentError> {
  const error = await call().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AgentError);
  expect(error).toBeInstanceOf(BackupError);
  return error as AgentError;
}

const host = () => new URL(url).host;
const refusal = (code: string, message: string) => JSON.stringify({ error: { code, message } });

describe('the agent client', () => {
  it('reports a refusal as AGENT_REJECTED with the status, the agent code and the job as fields', async () => {
    next = { status: 409, body: refusal('JOB_CONFLICT', 'the job has ended') };
    const error = await failure(() => client.cancel(url, 'job-7'));
    expect(error.code).toBe('AGENT_REJECTED');
    expect(error.message).toBe(`the agent at ${host()} answered 409 JOB_CONFLICT: the job has ended`);
    expect(error.context).toEqual({ host: host(), jobId: 'job-7', status: 409, agentCode: 'JOB_CONFLICT' });
    expect(agentErrorFields(error)).toEqual({
      agentHost: host(),
      httpStatus: 409,
      agentCode: 'JOB_CONFLICT',
      agentJobId: 'job-7',
      agentRunId: undefined,
    });
  });

  it("reports a refused signature as AGENT_REJECTED with status 401, naming the agent's code", async () => {
    next = { status: 401, body: refusal('UNAUTHENTICATED', 'not signed by a trusted key') };
    const error = await failure(() => client.run(url, 'run-1'));
    expect(error.code).toBe('AGENT_REJECTED');
    expect(error.message).toBe(`the agent at ${host()} refused the request's signature (UNAUTHENTICATED)`);
    expect(error.context).toEqual({
      host: host(),
      runId: 'run-1',
      status: 401,
      agentCode: 'UNAUTHENTICATED',
    });
  });

  it('reports a refusal without an error body by its HTTP status alone', async () => {
    next = { status: 503, body: 'busy' };
    const error = await failure(() => client.job(url, 'job-8'));
    expect(error.code).toBe('AGENT_REJECTED');
    expect(error.message).toBe(`the agent at ${host()} answered 503 HTTP 503: no error body`);
    expect(error.context).toEqual({ host: host(), jobId: 'job-8', status: 503 });
  });

  it('reports a signed answer outside the protocol as AGENT_ANSWER_INVALID, not as a refusal', async () => {
    for (const body of ['{"runId":"run-2","jobs":"none"}', 'not json']) {
      next = { status: 200, body };
      const error = await failure(() => client.run(url, 'run-2'));
      expect(error.code).toBe('AGENT_ANSWER_INVALID');
      expect(error.message).toBe(`the agent at ${host()} gave an answer outside the protocol`);
      expect(error.context).toEqual({ host: host(), runId: 'run-2', status: 200 });
    }
  });

  it('refuses an unsigned answer with its own code, the status as a field and the cause kept', async () => {
    next = { status: 200, body: '{}', unsigned: true };
    const error = await failure(() => client.restore(url, 'job-9'));
    expect(error.code).toBe('AGENT_RESPONSE_UNSIGNED');
    expect(error.context).toEqual({ host: host(), jobId: 'job-9', status: 200 });
    expect((error.cause as BackupError).code).toBe('AGENT_RESPONSE_UNSIGNED');
  });

  it('reports an agent that does not answer as AGENT_UNREACHABLE with its host and the cause kept', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const gone = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const publicKey = agentKeys.publicKey;
    const away = agentClientFor(
      {
        signingKey: { id: 'fn-test', privateKey: functionKeys.privateKey },
        agentTimeoutSeconds: 5,
        agents: [{ url: gone, publicKey }],
      },
      { fetch: globalThis.fetch, clock: systemClock },
    );
    const error = await failure(() => away.job(gone, 'job-10'));
    expect(error.code).toBe('AGENT_UNREACHABLE');
    expect(error.message).toMatch(/^the agent at 127\.0\.0\.1:\d+ did not answer: .*ECONNREFUSED/);
    expect(error.context).toEqual({ host: new URL(gone).host, jobId: 'job-10' });
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('waits for a shipped log as long as its size needs, beyond the usual time-out of a call', async () => {
    const quick = agentClientFor(
      {
        signingKey: { id: 'fn-test', privateKey: functionKeys.privateKey },
        agentTimeoutSeconds: 0.3,
        agents: [{ url, publicKey: agentKeys.publicKey }],
      },
      { fetch: globalThis.fetch, clock: systemClock },
    );
    const shipped = { ok: true, bytesRead: 1, bytesUploaded: 1, exitCodes: {}, stderrTail: [] };
    next = { status: 200, body: JSON.stringify(shipped), delayMs: 800 };
    try {
      expect((await failure(() => quick.closedLogs(url, 'db'))).code).toBe('AGENT_UNREACHABLE');
      // 8 MiB at the slowest rate the client allows: a second more than the 0.3 s of any other call.
      const request = { file: 'binlog.000001', size: 8 * 1024 * 1024, uploadUri: 'https://storage.test/u' };
      const result = await quick.shipLog(url, 'db', { ...request, compression: { algorithm: 'zstd' } });
      expect(result).toEqual(shipped);
    } finally {
      next = { status: 200, body: '{}' };
    }
  });
});
