// Requests refused before the function's handler runs (a malformed JSON body, an unknown charset or
// content-encoding) and by the handler itself (a body that is not JSON, or too large): every one answers the
// JSON error shape with its status, names no file and carries no stack, and is logged with its code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { testSigningKey } from '../../helpers/agent.js';
import { type GmailStub, startGmailStub } from '../../helpers/gmail-stub.js';
import { createBucket, type FunctionHarness, OAUTH, startFunction } from './harness.js';

const BUCKET = 'fn-refusals';

describe('refusals in the JSON error shape', () => {
  let emulator: RunningEmulator;
  let gmail: GmailStub;
  let harness: FunctionHarness;

  beforeAll(async () => {
    [emulator, gmail] = await Promise.all([startEmulator({ port: 0 }), startGmailStub({ oauth: OAUTH })]);
    await createBucket(emulator.url, BUCKET);
    harness = await startFunction({
      emulator,
      gmail,
      bucket: BUCKET,
      key: testSigningKey().key,
      // Never called: every request below is refused before a run starts.
      targets: [{ id: 'app', database: 'app', engine: 'postgres', agentUrl: 'http://127.0.0.1:9' }],
    });
  });
  afterAll(async () => {
    await harness?.close();
    await Promise.all([emulator?.close(), gmail?.close()]);
  });

  async function send(headers: Record<string, string>, body: string | Buffer) {
    const logged = harness.logs.length;
    const response = await fetch(harness.urls.backup, { method: 'POST', headers, body });
    const text = await response.text();
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      text,
      logs: harness.logs.slice(logged),
    };
  }

  function expectRefusal(answer: Awaited<ReturnType<typeof send>>, status: number, code: string) {
    expect(answer.status, answer.text).toBe(status);
    expect(answer.type).toBe('application/json; charset=utf-8');
    expect(JSON.parse(answer.text)).toEqual({ error: { code, message: expect.any(String) } });
    // No stack frame, no file of the server, no HTML page.
    expect(answer.text).not.toMatch(/\bat \S+ \(|node_modules|\/work\/|<html|<pre>|\.js:\d+/i);
    expect(answer.logs).toContainEqual(expect.objectContaining({ errorCode: code }));
    expect(JSON.stringify(answer.logs)).not.toMatch(/node_modules|\.js:\d+/);
  }

  it('answers a malformed JSON body with 400 REQUEST_INVALID', async () => {
    const answer = await send({ 'content-type': 'application/json' }, '{"databases": ["app"');
    expectRefusal(answer, 400, 'REQUEST_INVALID');
    expect(answer.logs).toContainEqual(
      expect.objectContaining({
        event: 'request.refused',
        severity: 'WARNING',
        errorCode: 'REQUEST_INVALID',
      }),
    );
  });

  it('answers an unknown charset or content-encoding with 415 CONTENT_TYPE_UNSUPPORTED', async () => {
    expectRefusal(
      await send({ 'content-type': 'application/json; charset=koi8-r' }, '{}'),
      415,
      'CONTENT_TYPE_UNSUPPORTED',
    );
    expectRefusal(
      await send({ 'content-type': 'application/json', 'content-encoding': 'br-unknown' }, '{}'),
      415,
      'CONTENT_TYPE_UNSUPPORTED',
    );
  });

  it('refuses a body that is not JSON, whose fields it would otherwise ignore and run everything', async () => {
    const answer = await send({ 'content-type': 'text/plain' }, 'databases=app&dryRun=true');
    expectRefusal(answer, 415, 'CONTENT_TYPE_UNSUPPORTED');
    expect(answer.logs).not.toContainEqual(expect.objectContaining({ event: 'run.started' }));
  });

  it('refuses an oversized body with 413 BODY_TOO_LARGE', async () => {
    const body = JSON.stringify({ dryRun: true, padding: 'x'.repeat(100 * 1024) });
    expectRefusal(await send({ 'content-type': 'application/json' }, body), 413, 'BODY_TOO_LARGE');
  });
});
