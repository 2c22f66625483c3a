// The agent's cancel of a session it will not finish, against real HTTP servers on loopback and its real log: a 499
// is quiet; any other answer, a redirect, or no answer at all is logged with the object's name — never the session
// URI, the capability itself.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgentLog, LOG_FILE_NAME } from '../../../../agent/log/agent-log.js';
import { createRedactor } from '../../../../agent/log/redact.js';
import { type CancelSession, createSessionCanceller } from '../../../../agent/pipeline/cancel-session.js';

let dir: string;
let cancel: CancelSession;
const servers: Server[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cancel-session-'));
  cancel = createSessionCanceller(createAgentLog({ dir, redact: createRedactor().redact }));
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  await rm(dir, { recursive: true, force: true });
});

async function session(status: number, headers: Record<string, string> = {}) {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests += 1;
    res.writeHead(status, headers).end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    requests: () => requests,
    uploadUri: `${base}/upload?uploadType=resumable&upload_id=CAPABILITY`,
  };
}

async function logLines(): Promise<Record<string, unknown>[]> {
  const text = await readFile(join(dir, LOG_FILE_NAME), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

describe('createSessionCanceller', () => {
  it('logs nothing when the service confirms the cancel with 499', async () => {
    const { uploadUri, requests } = await session(499);
    await cancel({ uploadUri, objectName: 'app_20260101.sql.gz' });
    expect(requests()).toBe(1);
    expect(await logLines()).toEqual([]);
  });

  it.each([
    [404, 'answered its cancel with HTTP 404, not 499'],
    [200, 'answered its cancel with HTTP 200, not 499'],
  ])('logs a session answering %i, by its object, never its URI', async (status, why) => {
    const { uploadUri } = await session(status);
    await cancel({ uploadUri, objectName: 'app_20260101.sql.gz' });
    const lines = await logLines();
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'warning',
        event: 'session.cancel-unconfirmed',
        objectName: 'app_20260101.sql.gz',
        message: `the upload session for app_20260101.sql.gz ${why}: it may still be open`,
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('CAPABILITY');
  });

  it('logs a redirect without following it', async () => {
    const elsewhere = await session(499);
    const { uploadUri } = await session(302, { location: `${elsewhere.base}/?upload_id=CAPABILITY` });
    await cancel({ uploadUri, objectName: 'app_20260101.sql.gz' });
    expect(elsewhere.requests()).toBe(0);
    expect((await logLines())[0]?.message).toBe(
      'the upload session for app_20260101.sql.gz answered its cancel with HTTP 302, not 499: it may still be open',
    );
  });

  it('logs a service it cannot reach, and never throws', async () => {
    const { uploadUri } = await session(499);
    await new Promise((resolve) => servers.pop()?.close(resolve));
    await expect(cancel({ uploadUri, objectName: 'app_20260101.sql.gz' })).resolves.toBeUndefined();
    const [line] = await logLines();
    expect(line?.message).toMatch(
      /^the upload session for app_20260101\.sql\.gz could not be cancelled \(connect ECONNREFUSED .*\): it may still be open$/,
    );
    expect(JSON.stringify(line)).not.toContain('CAPABILITY');
  });
});
