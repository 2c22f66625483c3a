// RFC 9530 Content-Digest with sha-256: the signature covers this header, and the header covers the body.
import { createHash, timingSafeEqual } from 'node:crypto';
import { isInnerList, parseDictionary, serializeDictionary } from 'structured-headers';
import { SignatureError } from '../errors.js';

const ALGORITHM = 'sha-256';

function sha256(body: Uint8Array | string): Buffer {
  return createHash('sha256').update(body).digest();
}

/** The Content-Digest field value of `body`, e.g. `sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:`. */
export function contentDigest(body: Uint8Array | string): string {
  return serializeDictionary(new Map([[ALGORITHM, [sha256(body), new Map()]]]));
}

/**
 * Throws unless `header` holds a sha-256 digest equal to the body's: SIGNATURE_MALFORMED when the header is
 * absent, unparsable or has no sha-256 member, DIGEST_MISMATCH when the digests differ.
 */
export function checkContentDigest(header: string | undefined, body: Uint8Array | string): void {
  let claimed: unknown;
  try {
    const member = parseDictionary(header ?? '').get(ALGORITHM);
    claimed = member === undefined || isInnerList(member) ? undefined : member[0];
  } catch (cause) {
    throw new SignatureError('SIGNATURE_MALFORMED', 'the content-digest header cannot be parsed', { cause });
  }
  if (!(claimed instanceof ArrayBuffer)) {
    throw new SignatureError('SIGNATURE_MALFORMED', `the content-digest header has no ${ALGORITHM} digest`);
  }
  const actual = sha256(body);
  const expected = Buffer.from(claimed);
  // Constant-time, so the time taken tells nothing about how much of a forged digest was right.
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw new SignatureError('DIGEST_MISMATCH', 'the body does not match its content-digest');
  }
}
