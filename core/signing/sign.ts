// Signing a request: its content-digest, then an Ed25519 signature over the profile's components.
import { sign as ed25519Sign, randomBytes } from 'node:crypto';
import { type InnerList, serializeDictionary } from 'structured-headers';
import { contentDigest } from './content-digest.js';
import type { SigningKey } from './keys.js';
import { ALGORITHM, COVERED_COMPONENTS, type HttpRequest, LABEL, signatureBase } from './signature-base.js';

export interface SignOptions {
  /** How long the signature stays valid after `now`. Default 60: the request is sent at once. */
  readonly expiresInSeconds?: number;
}

/** The headers `sign` adds to a request. */
export interface SignatureHeaders {
  readonly 'content-digest': string;
  readonly 'signature-input': string;
  readonly signature: string;
}

const DEFAULT_EXPIRES_IN_SECONDS = 60;

/**
 * The headers that sign `request` at `now` with `key`; send the request with them added. The request must
 * carry a content-type header (bodiless requests too), since the profile always covers it.
 */
export function sign(
  request: HttpRequest,
  key: SigningKey,
  now: Date,
  options: SignOptions = {},
): SignatureHeaders {
  const digest = contentDigest(request.body);
  const created = Math.floor(now.getTime() / 1000);
  const input: InnerList = [
    COVERED_COMPONENTS.map((component) => [component, new Map()]),
    new Map<string, string | number>([
      ['created', created],
      ['expires', created + (options.expiresInSeconds ?? DEFAULT_EXPIRES_IN_SECONDS)],
      ['nonce', randomBytes(16).toString('base64url')],
      ['keyid', key.id],
      ['alg', ALGORITHM],
    ]),
  ];
  const signed = { ...request, headers: { ...request.headers, 'content-digest': digest } };
  const signature = ed25519Sign(null, Buffer.from(signatureBase(signed, input)), key.privateKey);
  return {
    'content-digest': digest,
    'signature-input': serializeDictionary(new Map([[LABEL, input]])),
    signature: serializeDictionary(new Map([[LABEL, [signature, new Map()]]])),
  };
}
