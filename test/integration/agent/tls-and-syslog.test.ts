// An agent serving HTTPS (the signed @target-uri then starts with https) and writing its log for syslog: JSON
// lines on its stdout behind sd-daemon priority prefixes, which the journal reads.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_PATHS } from '../../../core/protocol.js';
import { sign } from '../../../core/signing/index.js';
import { oneJobRun, startTestAgent, type TestAgent } from '../../helpers/agent.js';
import { selfSignedCertificate } from '../../helpers/certificate.js';
import { createStandIns, type StandIns } from '../../helpers/stand-in-tools.js';

describe('agent over HTTPS with syslog', () => {
  let dir: string;
  let tools: StandIns;
  let agent: TestAgent;
  let ca: Buffer;
  let journal = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agent-tls-'));
    tools = await createStandIns();
    const { certFile, keyFile } = await selfSignedCertificate(dir, 'agent');
    ca = await readFile(certFile);
    // What systemd would read from the agent's stdout.
    const stdout = new PassThrough();
    stdout.on('data', (chunk: Buffer) => {
      journal += chunk.toString();
    });
    const failing = await tools.script('mongodump', 'echo "cannot connect" >&2; exit 1');
    agent = await startTestAgent({
      targets: [{ id: 'fails', engine: 'mongodb', database: 'fails', toolPath: failing }],
      config: { tls: { certFile, keyFile }, syslog: true },
      syslogStream: stdout,
    });
  });
  afterAll(async () => {
    await agent?.remove();
    await tools?.remove();
    await rm(dir, { recursive: true, force: true });
  });

  function send(method: string, path: string, body = '') {
    const url = `${agent.url}${path}`;
    const headers = { 'content-type': 'application/json' };
    const signed = { ...headers, ...sign({ method, url, headers, body }, agent.key, new Date()) };
    return new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpsRequest(url, { method, headers: signed, ca }, (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  it('serves HTTPS and verifies signatures made for the https URI', async () => {
    expect(agent.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const found = await send('GET', AGENT_PATHS.run('run-1'));
    expect(found.status).toBe(404);
    expect(JSON.parse(found.text)).toMatchObject({ error: { code: 'JOB_UNKNOWN' } });
  });

  it('writes every log line for the journal, failures at err, without the upload secret', async () => {
    const body = JSON.stringify(
      oneJobRun({
        runId: 'run-2',
        targetId: 'fails',
        objectName: 'fails_20250301.archive.gz',
        uploadUri:
          'http://127.0.0.1:9/upload/storage/v1/b/test-bucket/o?uploadType=resumable&upload_id=never',
        compression: { algorithm: 'gzip' },
      }),
    );
    const accepted = await send('POST', AGENT_PATHS.runs, body);
    expect(accepted.status).toBe(202);
    for (let i = 0; i < 200 && !journal.includes('"event":"job.failed"'); i++) await sleep(50);
    expect(journal).toMatch(/^<6>\{"time":[^\n]*"event":"agent\.started"/);
    expect(journal).toMatch(/\n<3>\{[^\n]*"event":"job\.failed"[^\n]*"errorCode":"DUMP_FAILED"/);
    expect(journal).not.toContain('upload_id=never');
    // The same lines as the log folder's, one per line.
    const fileLines = (await readFile(join(agent.logDir, 'agent.log'), 'utf8')).trim().split('\n');
    const journalLines = journal.trim().split('\n');
    expect(journalLines.map((line) => line.replace(/^<\d>/, ''))).toEqual(
      fileLines.slice(0, journalLines.length),
    );
  });
});
