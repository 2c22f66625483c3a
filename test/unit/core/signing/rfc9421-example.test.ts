// RFC 9421 appendix B.2.6: the Ed25519 example signature, with the RFC's own test key (B.1.4).
import { createPublicKey, sign as ed25519Sign, verify as ed25519Verify } from 'node:crypto';
import type { InnerList } from 'structured-headers';
import { describe, expect, it } from 'vitest';
import { loadPrivateKey, loadPublicKey, signatureBase } from '../../../../core/signing/index.js';
import { RFC_TEST_REQUEST } from './rfc9421-messages.js';

const TEST_KEY_ED25519_PRIVATE = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF
-----END PRIVATE KEY-----`;
const TEST_KEY_ED25519_PUBLIC = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=
-----END PUBLIC KEY-----`;

const request = RFC_TEST_REQUEST;

const covered = ['date', '@method', '@path', '@authority', 'content-type', 'content-length'];
const input: InnerList = [
  covered.map((component) => [component, new Map()]),
  new Map<string, string | number>([
    ['created', 1618884473],
    ['keyid', 'test-key-ed25519'],
  ]),
];

// As the RFC prints it.
const RFC_SIGNATURE_BASE = [
  '"date": Tue, 20 Apr 2021 02:07:55 GMT',
  '"@method": POST',
  '"@path": /foo',
  '"@authority": example.com',
  '"content-type": application/json',
  '"content-length": 18',
  '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length")' +
    ';created=1618884473;keyid="test-key-ed25519"',
].join('\n');
const RFC_SIGNATURE =
  'wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==';

describe('RFC 9421 B.2.6, signing with Ed25519', () => {
  it('has a private test key whose public half is the published one', () => {
    const derived = createPublicKey(loadPrivateKey(TEST_KEY_ED25519_PRIVATE));
    expect(derived.equals(loadPublicKey(TEST_KEY_ED25519_PUBLIC))).toBe(true);
  });

  it('builds the signature base the RFC prints', () => {
    expect(signatureBase(request, input)).toBe(RFC_SIGNATURE_BASE);
  });

  it('verifies the RFC signature with the RFC public key', () => {
    const base = Buffer.from(signatureBase(request, input));
    const publicKey = loadPublicKey(TEST_KEY_ED25519_PUBLIC);
    expect(ed25519Verify(null, base, publicKey, Buffer.from(RFC_SIGNATURE, 'base64'))).toBe(true);
    expect(
      ed25519Verify(null, Buffer.from(`${base}x`), publicKey, Buffer.from(RFC_SIGNATURE, 'base64')),
    ).toBe(false);
  });

  it('produces the RFC signature, Ed25519 being deterministic', () => {
    const base = Buffer.from(signatureBase(request, input));
    const signature = ed25519Sign(null, base, loadPrivateKey(TEST_KEY_ED25519_PRIVATE));
    expect(signature.toString('base64')).toBe(RFC_SIGNATURE);
  });
});
