// An agent impersonator for the checks the function makes after a job: it really uploads bytes to the session it
// is given, then reports counts that differ from what it sent (as a buggy or dishonest agent would), signing its
// answers with its own key as an agent does, so only the lie is left to catch. It answers doctor's ping, route and
// canary too, its canary's counts carrying the same lie.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CRC32C } from '@google-cloud/storage';
import { AGENT_PATHS, type CanaryRequest, type JobStatus, type RunRequest } from '../../../core/protocol.js';
import { generateKeyPair, keyThumbprint, signResponse } from '../../../core/signing/index.js';
import { registerAnswerKey } from '../../helpers/agent.js';

export interface FakeAgentOptions {
  /** The bytes it uploads. */
  bytes: Buffer;
  /** What it then claims, over the true counts. */
  claim: Partial<Pick<JobStatus, 'bytesUploaded' | 'crc32c' | 'md5'>>;
}

export interface FakeAgent {
  url: string;
  close(): Promise<void>;
}

function crc32cOf(bytes: Buffer): string {
  const crc = new CRC32C();
  crc.update(bytes);
  return crc.toString();
}

export async function startFakeAgent(options: FakeAgentOptions): Promise<FakeAgent> {
  const keys = generateKeyPair();
  const key = { id: keyThumbprint(keys.privateKey), privateKey: keys.privateKey };
  const jobs = new Map<string, JobStatus>();
  const upload = async (run: RunRequest): Promise<JobStatus> => {
    const [job] = run.jobs;
    if (!job) throw new Error('an empty run');
    const size = options.bytes.length;
    const response = await fetch(job.uploadUri, {
      method: 'PUT',
      headers: { 'content-range': `bytes 0-${size - 1}/${size}` },
      body: options.bytes,
    });
    if (!response.ok) throw new Error(`upload: ${response.status}`);
    const now = new Date().toISOString();
    return {
      jobId: `job-${jobs.size + 1}`,
      runId: run.runId,
      targetId: job.targetId,
      objectName: job.objectName,
      state: 'succeeded',
      bytesRead: size,
      bytesUploaded: size,
      crc32c: crc32cOf(options.bytes),
      md5: createHash('md5').update(options.bytes).digest('base64'),
      sha256: createHash('sha256').update(options.bytes).digest('hex'),
      startedAt: now,
      endedAt: now,
      exitCodes: { dump: 0 },
      stderrTail: [],
      ...options.claim,
    };
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const send = (status: number, body: unknown) => {
      const answer = { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([name, value]) => [name, String(value)]),
      );
      const request = { method: req.method ?? 'GET', url: `${origin}${req.url}`, headers, body: '' };
      res.writeHead(status, { ...answer.headers, ...signResponse(answer, request, key, new Date()) });
      res.end(answer.body);
    };
    const [, version, kind, id = ''] = url.pathname.split('/');
    // doctor's questions, each answered as a sound agent would, but the canary's counts, which carry the claim.
    if (req.method === 'GET' && url.pathname === AGENT_PATHS.ping) {
      return send(200, { version: '0.0.0', time: new Date().toISOString(), keyId: 'fake' });
    }
    if (req.method === 'GET' && url.pathname === AGENT_PATHS.storageRoute) {
      const address = { address: '127.0.0.1', allowed: true };
      const connection = { kind: 'tcp', ok: true, detail: 'connected' };
      return send(200, {
        origin,
        host: '127.0.0.1',
        allowedRanges: ['127.0.0.0/8'],
        addresses: [address],
        connection,
      });
    }
    if (req.method === 'POST' && url.pathname === AGENT_PATHS.canary) {
      const { uploadUri } = JSON.parse(Buffer.concat(chunks).toString()) as CanaryRequest;
      const compression = { algorithm: 'gzip' as const };
      const run = {
        runId: 'canary',
        concurrency: 1,
        onError: 'stop' as const,
        jobs: [{ targetId: 'canary', objectName: 'canary', uploadUri, compression }],
      };
      const { bytesRead, bytesUploaded, crc32c, md5, sha256, exitCodes, stderrTail } = await upload(run);
      return send(200, { ok: true, bytesRead, bytesUploaded, crc32c, md5, sha256, exitCodes, stderrTail });
    }
    if (req.method === 'POST' && url.pathname === '/v1/runs') {
      const status = await upload(JSON.parse(Buffer.concat(chunks).toString()) as RunRequest);
      jobs.set(status.jobId, status);
      return send(202, { runId: status.runId, jobs: [{ targetId: status.targetId, jobId: status.jobId }] });
    }
    const runJobs = [...jobs.values()].filter((job) => job.runId === decodeURIComponent(id));
    if (req.method === 'GET' && version === 'v1' && kind === 'runs' && runJobs.length > 0) {
      return send(200, { runId: decodeURIComponent(id), jobs: runJobs });
    }
    const job = jobs.get(decodeURIComponent(id));
    if (req.method === 'GET' && kind === 'jobs' && job) return send(200, job);
    send(404, { error: { code: 'JOB_UNKNOWN', message: 'no such job' } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  registerAnswerKey(origin, keys.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  return {
    url: origin,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
