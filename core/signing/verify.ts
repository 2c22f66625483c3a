// Verifying a signed request: every failure is a SignatureError with its own code, for the logs. The caller
// answers each with the same 401, so an unauthenticated sender learns nothing about which check failed.
import { verify as ed25519Verify } from 'node:crypto';
import { type InnerList, isInnerList, parseDictionary } from 'structured-headers';
import { type ErrorCode, SignatureError } from '../errors.js';
import { checkContentDigest } from './content-digest.js';
import type { TrustedKeys } from './keys.js';
import type { NonceStore } from './nonce-store.js';
import { ALGORITHM, COVERED_COMPONENTS, type HttpRequest, LABEL, signatureBase } from './signature-base.js';

export interface VerifyOptions {
  /** How old `created` may be. */
  readonly maxAgeSeconds?: number;
  /** How far ahead of `now` `created` may be, for clocks that disagree. */
  readonly maxFutureSkewSeconds?: number;
}

/** The defaults of VerifyOptions, declared once: the agent's `signature` settings default to these. */
export const SIGNATURE_WINDOW = { maxAgeSeconds: 300, maxFutureSkewSeconds: 30 } as const;

/** What a verified signature says: who signed, and when. */
export interface VerifiedSignature {
  readonly keyId: string;
  readonly nonce: string;
  readonly created: Date;
  readonly expires: Date;
}

interface ParsedSignature {
  readonly input: InnerList;
  readonly signature: Buffer;
  readonly created: number;
  readonly expires: number;
  readonly nonce: string;
  readonly keyId: string;
}

function reject(code: ErrorCode, message: string, cause?: unknown): never {
  throw new SignatureError(code, message, { cause });
}

function parseSignature(inputHeader: string, signatureHeader: string): ParsedSignature {
  let input: unknown;
  let signature: unknown;
  try {
    input = parseDictionary(inputHeader).get(LABEL);
    const member = parseDictionary(signatureHeader).get(LABEL);
    signature = member === undefined || isInnerList(member) ? undefined : member[0];
  } catch (cause) {
    reject('SIGNATURE_MALFORMED', 'the signature headers cannot be parsed', cause);
  }
  if (!isInput(input) || !(signature instanceof ArrayBuffer)) {
    reject('SIGNATURE_MALFORMED', `the signature headers have no well-formed "${LABEL}" signature`);
  }
  const [components, params] = input;
  for (const component of COVERED_COMPONENTS) {
    if (!components.some(([name, itemParams]) => name === component && itemParams.size === 0)) {
      reject('SIGNATURE_MALFORMED', `the signature does not cover ${component}`);
    }
  }
  const [created, expires, nonce, keyId, alg] = ['created', 'expires', 'nonce', 'keyid', 'alg'].map((name) =>
    params.get(name),
  );
  if (!Number.isInteger(created) || !Number.isInteger(expires)) {
    reject('SIGNATURE_MALFORMED', 'the signature lacks integer created and expires parameters');
  }
  if (typeof nonce !== 'string' || typeof keyId !== 'string' || alg !== ALGORITHM) {
    reject('SIGNATURE_MALFORMED', `the signature lacks a nonce, a keyid or alg="${ALGORITHM}"`);
  }
  return {
    input,
    signature: Buffer.from(signature),
    created: Number(created),
    expires: Number(expires),
    nonce,
    keyId,
  };
}

function isInput(value: unknown): value is InnerList {
  return Array.isArray(value) && isInnerList(value as InnerList);
}

/**
 * Verifies `request` at `now` and records its nonce. The checks run in this order so that nothing but the
 * signature itself is trusted before the signature verifies, and a nonce is recorded only for a request that
 * passed every other check: headers present, parsable and complete; key id trusted; signature valid; body
 * matching its digest; `created` and `expires` within bounds; nonce new.
 */
export function verify(
  request: HttpRequest,
  trustedKeys: TrustedKeys,
  now: Date,
  nonceStore: NonceStore,
  options: VerifyOptions = {},
): VerifiedSignature {
  const inputHeader = request.headers['signature-input'];
  const signatureHeader = request.headers.signature;
  if (inputHeader === undefined || signatureHeader === undefined) {
    reject('SIGNATURE_MISSING', 'the request has no signature-input or no signature header');
  }
  const { input, signature, created, expires, nonce, keyId } = parseSignature(inputHeader, signatureHeader);

  const publicKey = trustedKeys.get(keyId);
  if (publicKey === undefined)
    reject('SIGNATURE_UNKNOWN_KEY', `no trusted key has the id ${JSON.stringify(keyId)}`);
  let base: string;
  try {
    base = signatureBase(request, input);
  } catch (cause) {
    reject('SIGNATURE_MALFORMED', 'the request lacks a component the signature covers', cause);
  }
  if (!ed25519Verify(null, Buffer.from(base), publicKey, signature)) {
    reject('SIGNATURE_INVALID', 'the signature does not match the request');
  }
  checkContentDigest(request.headers['content-digest'], request.body);

  const nowSeconds = now.getTime() / 1000;
  const maxAge = options.maxAgeSeconds ?? SIGNATURE_WINDOW.maxAgeSeconds;
  if (created > nowSeconds + (options.maxFutureSkewSeconds ?? SIGNATURE_WINDOW.maxFutureSkewSeconds)) {
    reject(
      'SIGNATURE_CREATED_IN_FUTURE',
      'the signature was created further ahead than the allowed clock skew',
    );
  }
  if (created < nowSeconds - maxAge)
    reject('SIGNATURE_CREATED_IN_PAST', 'the signature is older than allowed');
  if (expires < nowSeconds) reject('SIGNATURE_EXPIRED', 'the signature has expired');
  // Past this moment the signature fails the checks above, so the store need not remember its nonce longer.
  const acceptedUntil = new Date(Math.min(expires, created + maxAge) * 1000);
  if (!nonceStore.add(nonce, acceptedUntil, now))
    reject('SIGNATURE_REPLAYED', 'the signature was used before');

  return { keyId, nonce, created: new Date(created * 1000), expires: new Date(expires * 1000) };
}
