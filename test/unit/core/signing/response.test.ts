// The agent's answers: signed over their status, digest and type and over the request they answer; verified
// only as that request's answer, by that agent's key, with a code for each way one can fail.
import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generateKeyPair,
  type HttpRequest,
  type HttpResponse,
  keyThumbprint,
  sign,
  signResponse,
  verifyResponse,
} from '../../../../core/signing/index.js';

const now = new Date('2025-03-01T02:00:00Z');
const functionKey = { id: 'k1', privateKey: generateKeyPair().privateKey };
const agentPair = generateKeyPair();
const agentKey = { id: keyThumbprint(agentPair.privateKey), privateKey: agentPair.privateKey };
const trust = { publicKey: agentPair.publicKey, keyId: keyThumbprint(agentPair.publicKey) };

function signedRequest(path = '/v1/runs/run-1'): HttpRequest {
  const request = {
    method: 'GET',
    url: `http://10.0.0.5:8443${path}`,
    headers: { 'content-type': 'application/json' },
    body: '',
  };
  return { ...request, headers: { ...request.headers, ...sign(request, functionKey, now) } };
}

function answer(request: HttpRequest, body = '{"state":"running"}', status = 200): HttpResponse {
  const unsigned = { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body };
  const signature = signResponse(unsigned, request, agentKey, now);
  if (!signature) throw new Error('the request has no signature');
  return { ...unsigned, headers: { ...unsigned.headers, ...signature } };
}

const refusedWith = (code: string) => expect.objectContaining({ code });

describe('keyThumbprint', () => {
  it('is the RFC 8037 A.3 thumbprint of the RFC 8037 A.1 key', () => {
    const key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' },
      format: 'jwk',
    });
    expect(keyThumbprint(key)).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });

  it('is the same for both halves of a pair', () => {
    expect(keyThumbprint(agentPair.privateKey)).toBe(keyThumbprint(agentPair.publicKey));
  });
});

describe('signResponse and verifyResponse', () => {
  it("accept the agent's answer to the request, covering the profile's components", () => {
    const request = signedRequest();
    const response = answer(request);
    expect(response.headers['signature-input']).toMatch(
      /^res1=\("@status" "content-digest" "content-type" "@method";req "@target-uri";req "signature";req;key="sig1"\);created=\d+;nonce="[^"]+";keyid="[^"]+";alg="ed25519"$/,
    );
    expect(() => verifyResponse(response, request, trust)).not.toThrow();
  });

  it('sign nothing for a request without a signature', () => {
    const request = { method: 'GET', url: 'http://10.0.0.5:8443/v1/runs/x', headers: {}, body: '' };
    expect(
      signResponse(
        { status: 401, headers: { 'content-type': 'application/json' }, body: '{}' },
        request,
        agentKey,
        now,
      ),
    ).toBeUndefined();
  });

  it('refuse an unsigned answer: AGENT_RESPONSE_UNSIGNED', () => {
    const response = {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"state":"succeeded"}',
    };
    expect(() => verifyResponse(response, signedRequest(), trust)).toThrow(
      refusedWith('AGENT_RESPONSE_UNSIGNED'),
    );
  });

  it('refuse the answer to another request: AGENT_RESPONSE_UNBOUND', () => {
    const other = answer(signedRequest('/v1/runs/run-1'), '{"state":"succeeded"}');
    expect(() => verifyResponse(other, signedRequest('/v1/runs/run-1'), trust)).toThrow(
      refusedWith('AGENT_RESPONSE_UNBOUND'),
    );
  });

  it('refuse the answer to another request even with its nonce changed: AGENT_RESPONSE_INVALID', () => {
    const request = signedRequest();
    const other = answer(signedRequest(), '{"state":"succeeded"}');
    const nonce = /nonce="([^"]+)"/.exec(request.headers['signature-input'] ?? '')?.[1] ?? '';
    const relabelled = {
      ...other,
      headers: {
        ...other.headers,
        'signature-input': (other.headers['signature-input'] ?? '').replace(
          /nonce="[^"]+"/,
          `nonce="${nonce}"`,
        ),
      },
    };
    expect(() => verifyResponse(relabelled, request, trust)).toThrow(refusedWith('AGENT_RESPONSE_INVALID'));
  });

  it('refuse a signature that leaves the request out: AGENT_RESPONSE_UNBOUND', () => {
    const request = signedRequest();
    const response = answer(request);
    const input = (response.headers['signature-input'] ?? '').replace(' "signature";req;key="sig1"', '');
    expect(() =>
      verifyResponse(
        { ...response, headers: { ...response.headers, 'signature-input': input } },
        request,
        trust,
      ),
    ).toThrow(refusedWith('AGENT_RESPONSE_UNBOUND'));
  });

  it('refuse a changed body, status or type: AGENT_RESPONSE_INVALID', () => {
    const request = signedRequest();
    const response = answer(request);
    const changed: HttpResponse[] = [
      { ...response, body: '{"state":"succeeded"}' },
      { ...response, status: 202 },
      { ...response, headers: { ...response.headers, 'content-type': 'text/plain' } },
    ];
    for (const forged of changed) {
      expect(() => verifyResponse(forged, request, trust)).toThrow(refusedWith('AGENT_RESPONSE_INVALID'));
    }
  });

  it("refuse an answer signed by another key, even one claiming the agent's keyid: AGENT_RESPONSE_INVALID", () => {
    const request = signedRequest();
    const stranger = generateKeyPair();
    const body = '{"state":"succeeded"}';
    const unsigned = { status: 200, headers: { 'content-type': 'application/json' }, body };
    for (const id of [keyThumbprint(stranger.privateKey), trust.keyId]) {
      const forged = signResponse(unsigned, request, { id, privateKey: stranger.privateKey }, now);
      const response = { ...unsigned, headers: { ...unsigned.headers, ...forged } };
      expect(() => verifyResponse(response, request, trust)).toThrow(refusedWith('AGENT_RESPONSE_INVALID'));
    }
  });
});
