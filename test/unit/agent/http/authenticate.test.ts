import { mkdtempSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAuthenticator, targetUri, toHttpRequest } from '../../../../agent/http/authenticate.js';
import { openFileNonceStore } from '../../../../agent/http/file-nonce-store.js';
import { generateKeyPair, sign } from '../../../../core/signing/index.js';

function incoming(url: string, headers: Record<string, string | string[]>, method = 'POST'): IncomingMessage {
  return { url, method, headers } as unknown as IncomingMessage;
}

describe('the signed target URI', () => {
  it('comes from publicUrl, whatever the Host header says', () => {
    const req = incoming('/v1/jobs?runId=a', { host: 'evil.example:1' });
    expect(targetUri(req, 'http://10.0.0.5:8443')).toBe('http://10.0.0.5:8443/v1/jobs?runId=a');
    expect(targetUri(req, 'https://agent.internal/')).toBe('https://agent.internal/v1/jobs?runId=a');
  });

  it('joins repeated headers for the signing module', () => {
    const request = toHttpRequest(
      incoming('/x', { 'x-a': ['1', '2'], host: 'h' }),
      Buffer.from(''),
      'http://h/x',
    );
    expect(request.headers).toEqual({ 'x-a': '1, 2', host: 'h' });
  });
});

describe('createAuthenticator', () => {
  const { privateKey, publicKey } = generateKeyPair();
  const key = { id: 'k1', privateKey };
  const now = new Date('2025-03-01T02:00:00Z');
  const body = '{"runId":"r"}';

  function signedIncoming(url: string, host: string): IncomingMessage {
    const headers = { 'content-type': 'application/json' };
    const signature = sign({ method: 'POST', url, headers, body }, key, now);
    return incoming(new URL(url).pathname, { ...headers, ...signature, host });
  }

  it('accepts a request signed for publicUrl and refuses one signed for another agent, whatever its Host', () => {
    const authenticate = createAuthenticator({
      trustedKeys: new Map([['k1', publicKey]]),
      nonceStore: openFileNonceStore(mkdtempSync(join(tmpdir(), 'nonces-')), now),
      verifyOptions: {},
      publicUrl: 'http://10.0.0.5:8443',
      now: () => now,
    });
    expect(
      authenticate(signedIncoming('http://10.0.0.5:8443/v1/jobs', '10.0.0.5:8443'), Buffer.from(body)).keyId,
    ).toBe('k1');
    expect(() =>
      authenticate(signedIncoming('http://10.0.0.6:8443/v1/jobs', '10.0.0.6:8443'), Buffer.from(body)),
    ).toThrow(expect.objectContaining({ code: 'SIGNATURE_INVALID' }));
    expect(() =>
      authenticate(signedIncoming('http://10.0.0.6:8443/v1/jobs', '10.0.0.5:8443'), Buffer.from(body)),
    ).toThrow(expect.objectContaining({ code: 'SIGNATURE_INVALID' }));
  });
});
