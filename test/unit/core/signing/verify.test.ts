// Signing and verifying: the round trip, key rotation, and each rejection with its own code.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFileNonceStore } from '../../../../agent/http/file-nonce-store.js';
import {
  contentDigest,
  generateKeyPair,
  type HttpRequest,
  type NonceStore,
  type SigningKey,
  type SignOptions,
  sign,
  type TrustedKeys,
  type VerifyOptions,
  verify,
} from '../../../../core/signing/index.js';

const NOW = new Date('2026-03-01T02:00:00.500Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

const current = generateKeyPair();
const next = generateKeyPair();
const key: SigningKey = { id: 'key-2026-03', privateKey: current.privateKey };
const trusted: TrustedKeys = new Map([[key.id, current.publicKey]]);

const request: HttpRequest = {
  method: 'POST',
  url: 'http://10.0.0.5:8443/v1/backups?force=false',
  headers: { 'content-type': 'application/json' },
  body: '{"database":"HospitalDB"}',
};

function signed(at = NOW, options?: SignOptions, signingKey = key): HttpRequest {
  return { ...request, headers: { ...request.headers, ...sign(request, signingKey, at, options) } };
}

/** The agent's own nonce store, in a folder of its own. */
function freshStore(): NonceStore {
  return openFileNonceStore(mkdtempSync(join(tmpdir(), 'nonces-')), NOW);
}

function check(
  req: HttpRequest,
  now = NOW,
  options?: VerifyOptions,
  store: NonceStore = freshStore(),
  keys = trusted,
) {
  return verify(req, keys, now, store, options);
}

/** The code of the SignatureError that verifying throws. */
function rejection(req: HttpRequest, now = NOW, options?: VerifyOptions, store?: NonceStore): string {
  try {
    check(req, now, options, store);
  } catch (error) {
    expect(error).toMatchObject({ name: 'SignatureError', httpStatus: 401 });
    return (error as { code: string }).code;
  }
  throw new Error('the request verified');
}

function withHeaders(req: HttpRequest, headers: Record<string, string>): HttpRequest {
  return { ...req, headers: { ...req.headers, ...headers } };
}

describe('sign', () => {
  it('adds a content-digest and a sig1 signature over the profile, with a fresh nonce', () => {
    const headers = sign(request, key, NOW);
    expect(headers['content-digest']).toBe(contentDigest(request.body));
    expect(headers['signature-input']).toMatch(
      /^sig1=\("@method" "@target-uri" "content-digest" "content-type"\);created=1772330400;expires=1772330460;nonce="[\w-]{22}";keyid="key-2026-03";alg="ed25519"$/,
    );
    expect(headers.signature).toMatch(/^sig1=:[A-Za-z0-9+/]{86}==:$/);
    expect(sign(request, key, NOW)['signature-input']).not.toBe(headers['signature-input']);
  });
});

describe('verify', () => {
  it('accepts a signed request and says who signed it and when', () => {
    expect(check(signed())).toEqual({
      keyId: key.id,
      nonce: expect.any(String),
      created: new Date('2026-03-01T02:00:00Z'),
      expires: new Date('2026-03-01T02:01:00Z'),
    });
  });

  it('accepts a binary body', () => {
    const binary = { ...request, body: new Uint8Array([0, 1, 2, 255]) };
    expect(() =>
      check({ ...binary, headers: { ...binary.headers, ...sign(binary, key, NOW) } }),
    ).not.toThrow();
  });

  it('trusts two keys at once while keys rotate', () => {
    const rotating: TrustedKeys = new Map([
      [key.id, current.publicKey],
      ['key-2026-04', next.publicKey],
    ]);
    const byNext = signed(NOW, {}, { id: 'key-2026-04', privateKey: next.privateKey });
    expect(check(signed(), NOW, {}, undefined, rotating).keyId).toBe(key.id);
    expect(check(byNext, NOW, {}, undefined, rotating).keyId).toBe('key-2026-04');
    expect(() => check(byNext)).toThrow(expect.objectContaining({ code: 'SIGNATURE_UNKNOWN_KEY' }));
  });

  it('rejects a request without signature headers as SIGNATURE_MISSING', () => {
    expect(rejection(request)).toBe('SIGNATURE_MISSING');
    const { signature: _, ...withoutSignature } = signed().headers;
    expect(rejection({ ...request, headers: withoutSignature })).toBe('SIGNATURE_MISSING');
  });

  it.each([
    ['unparsable signature-input', { 'signature-input': 'sig1=("@method"' }],
    ['unparsable signature', { signature: 'sig1=:not base64' }],
    [
      'a signature under another label',
      { signature: signed().headers.signature?.replace('sig1', 'sig2') ?? '' },
    ],
    ['a signature that is not bytes', { signature: 'sig1="abc"' }],
  ])('rejects %s as SIGNATURE_MALFORMED', (_, headers) => {
    expect(rejection(withHeaders(signed(), headers))).toBe('SIGNATURE_MALFORMED');
  });

  it.each([
    ['a covered component', ' "content-type"'],
    ['the nonce', /;nonce="[^"]*"/],
    ['the expires parameter', /;expires=\d+/],
    ['the key id', /;keyid="[^"]*"/],
  ])('rejects a signature that lacks %s as SIGNATURE_MALFORMED', (_, removed) => {
    const req = signed();
    const input = req.headers['signature-input']?.replace(removed, '') ?? '';
    expect(rejection(withHeaders(req, { 'signature-input': input }))).toBe('SIGNATURE_MALFORMED');
  });

  it('rejects another algorithm and a covered header the request lacks as SIGNATURE_MALFORMED', () => {
    const req = signed();
    const input = req.headers['signature-input']?.replace('alg="ed25519"', 'alg="rsa-pss-sha512"') ?? '';
    expect(rejection(withHeaders(req, { 'signature-input': input }))).toBe('SIGNATURE_MALFORMED');
    const { 'content-type': _, ...withoutType } = req.headers;
    expect(rejection({ ...req, headers: withoutType })).toBe('SIGNATURE_MALFORMED');
  });

  it('rejects an unknown key id as SIGNATURE_UNKNOWN_KEY', () => {
    const stranger = { id: 'constructor', privateKey: next.privateKey };
    expect(rejection(signed(NOW, {}, stranger))).toBe('SIGNATURE_UNKNOWN_KEY');
  });

  it.each([
    ['method', (req: HttpRequest) => ({ ...req, method: 'DELETE' })],
    ['path', (req: HttpRequest) => ({ ...req, url: 'http://10.0.0.5:8443/v1/restores?force=false' })],
    ['query', (req: HttpRequest) => ({ ...req, url: 'http://10.0.0.5:8443/v1/backups?force=true' })],
    ['host', (req: HttpRequest) => ({ ...req, url: 'http://10.0.0.6:8443/v1/backups?force=false' })],
    ['content-type', (req: HttpRequest) => withHeaders(req, { 'content-type': 'text/plain' })],
    [
      'body, with its digest recomputed',
      (req: HttpRequest) => withHeaders({ ...req, body: '{}' }, { 'content-digest': contentDigest('{}') }),
    ],
  ])('rejects a tampered %s as SIGNATURE_INVALID', (_, tamper) => {
    expect(rejection(tamper(signed()))).toBe('SIGNATURE_INVALID');
  });

  it('rejects a signature made with another key under a trusted id as SIGNATURE_INVALID', () => {
    expect(rejection(signed(NOW, {}, { id: key.id, privateKey: next.privateKey }))).toBe('SIGNATURE_INVALID');
  });

  it('rejects a body that does not match its content-digest as DIGEST_MISMATCH', () => {
    expect(rejection({ ...signed(), body: '{"database":"other"}' })).toBe('DIGEST_MISMATCH');
  });

  it('rejects a signature created too long ago as SIGNATURE_CREATED_IN_PAST', () => {
    const longLived = signed(NOW, { expiresInSeconds: 3600 });
    expect(() => check(longLived, at(299))).not.toThrow();
    expect(rejection(longLived, at(301))).toBe('SIGNATURE_CREATED_IN_PAST');
    expect(rejection(longLived, at(61), { maxAgeSeconds: 60 })).toBe('SIGNATURE_CREATED_IN_PAST');
  });

  it('rejects a signature created beyond the clock skew as SIGNATURE_CREATED_IN_FUTURE', () => {
    expect(() => check(signed(at(29)))).not.toThrow();
    expect(rejection(signed(at(31)))).toBe('SIGNATURE_CREATED_IN_FUTURE');
    expect(rejection(signed(at(6)), NOW, { maxFutureSkewSeconds: 5 })).toBe('SIGNATURE_CREATED_IN_FUTURE');
  });

  it('rejects an expired signature as SIGNATURE_EXPIRED', () => {
    expect(() => check(signed(), at(59))).not.toThrow();
    expect(rejection(signed(), at(60))).toBe('SIGNATURE_EXPIRED');
    expect(rejection(signed(NOW, { expiresInSeconds: 5 }), at(6))).toBe('SIGNATURE_EXPIRED');
  });

  it('rejects a replayed nonce as SIGNATURE_REPLAYED', () => {
    const store = freshStore();
    const req = signed();
    check(req, NOW, {}, store);
    expect(rejection(req, at(1), {}, store)).toBe('SIGNATURE_REPLAYED');
    expect(() => check(signed(at(1)), at(1), {}, store)).not.toThrow();
  });

  it('records a nonce only for a request that passed every other check', () => {
    const store = freshStore();
    const req = signed();
    expect(rejection({ ...req, method: 'PUT' }, NOW, {}, store)).toBe('SIGNATURE_INVALID');
    expect(rejection({ ...req, body: '' }, NOW, {}, store)).toBe('DIGEST_MISMATCH');
    expect(rejection(req, at(-31), {}, store)).toBe('SIGNATURE_CREATED_IN_FUTURE');
    expect(() => check(req, NOW, {}, store)).not.toThrow();
  });

  it('trusts nothing before the signature verifies: a forged, expired request is SIGNATURE_INVALID', () => {
    expect(rejection({ ...signed(), method: 'DELETE' }, at(3600))).toBe('SIGNATURE_INVALID');
  });
});
