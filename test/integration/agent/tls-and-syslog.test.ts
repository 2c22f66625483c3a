// An agent serving HTTPS (the signed @target-uri then starts with https) and forwarding its log to syslog.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_PATHS } from '../../../core/protocol.js';
import { sign } from '../../../core/signing/index.js';
import { oneJobRun, startTestAgent, type TestAgent } from '../../helpers/agent.js';
import { createStandIns, type StandIns } from '../../helpers/stand-in-tools.js';

describe('agent over HTTPS with syslog', () => {
  let dir: string;
  let tools: StandIns;
  let agent: TestAgent;
  let ca: Buffer;
  let syslogFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agent-tls-'));
    tools = await createStandIns();
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=agent',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'ignore' },
    );
    ca = await readFile(certFile);
    syslogFile = join(dir, 'syslog');
    await writeFile(syslogFile, '');
    // Records each call's arguments and the line it was given on stdin, as syslog would receive it.
    const logger = await tools.script('logger', `{ echo "ARGS $*"; cat; } >> '${syslogFile}'`);
    const failing = await tools.script('mongodump', 'echo "cannot connect" >&2; exit 1');
    agent = await startTestAgent({
      targets: [{ id: 'fails', engine: 'mongodb', database: 'fails', toolPath: failing }],
      config: { tls: { certFile, keyFile }, syslog: true },
      syslogCommand: logger,
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

  it('sends every log line to syslog under its tag, failures at err', async () => {
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
    let text = '';
    for (let i = 0; i < 200 && !text.includes('"event":"job.failed"'); i++) {
      await sleep(50);
      text = await readFile(syslogFile, 'utf8');
    }
    expect(text).toContain('ARGS -t db-backup-agent -p user.info\n{"time":');
    expect(text).toMatch(
      /ARGS -t db-backup-agent -p user\.err\n\{[^\n]*"event":"job\.failed"[^\n]*"errorCode":"DUMP_FAILED"/,
    );
    expect(text).not.toContain('upload_id=never');
  });
});
