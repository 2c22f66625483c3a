// RFC 9530 Content-Digest: the RFC's sha-256 example, and each way a digest header can fail.
import { describe, expect, it } from 'vitest';
import { checkContentDigest, contentDigest } from '../../../../core/signing/index.js';

const BODY = '{"hello": "world"}';
const RFC_9530_SHA_256 = 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:';

function failure(header: string | undefined, body: Uint8Array | string = BODY): unknown {
  try {
    checkContentDigest(header, body);
  } catch (error) {
    return error;
  }
  throw new Error('checkContentDigest accepted the digest');
}

describe('contentDigest', () => {
  it('gives the RFC 9530 example value', () => {
    expect(contentDigest(BODY)).toBe(RFC_9530_SHA_256);
  });

  it('digests a string as its UTF-8 bytes', () => {
    expect(contentDigest(new TextEncoder().encode(BODY))).toBe(RFC_9530_SHA_256);
  });
});

describe('checkContentDigest', () => {
  it('accepts the digest of the body, among other algorithms', () => {
    expect(() => checkContentDigest(RFC_9530_SHA_256, BODY)).not.toThrow();
    expect(() => checkContentDigest(`sha-512=:AAAA:, ${RFC_9530_SHA_256}`, BODY)).not.toThrow();
  });

  it('reports another body as DIGEST_MISMATCH', () => {
    expect(failure(RFC_9530_SHA_256, '{"hello": "World"}')).toMatchObject({ code: 'DIGEST_MISMATCH' });
  });

  it('reports a digest of the wrong length as DIGEST_MISMATCH', () => {
    expect(failure('sha-256=:AAAA:')).toMatchObject({ code: 'DIGEST_MISMATCH' });
  });

  it.each([
    ['absent', undefined],
    ['unparsable', 'sha-256=:not base64'],
    ['without sha-256', 'sha-512=:AAAA:'],
    ['not a byte sequence', 'sha-256="X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="'],
  ])('reports a header %s as SIGNATURE_MALFORMED', (_, header) => {
    expect(failure(header)).toMatchObject({ name: 'SignatureError', code: 'SIGNATURE_MALFORMED' });
  });
});
