// Verifying an agent's answer to a request the verifier sent: every failure is a SignatureError with one of three
// codes — no signature at all, a signature that does not bind the answer to this request, or one that is not
// the agent's over this answer — so the log and the alert say which.
import { verify as ed25519Verify, type KeyObject } from 'node:crypto';
import { type InnerList, isInnerList, parseDictionary, serializeItem } from 'structured-headers';
import { type ErrorCode, SignatureError } from '../errors.js';
import { checkContentDigest } from './content-digest.js';
import { requestSignature } from './sign-response.js';
import {
  ALGORITHM,
  type HttpRequest,
  type HttpResponse,
  RESPONSE_COMPONENTS,
  RESPONSE_LABEL,
  signatureBase,
} from './signature-base.js';

/** Who must have signed: the agent's public key and its thumbprint (keyThumbprint), the answer's keyid. */
export interface AnswerKey {
  readonly publicKey: KeyObject;
  readonly keyId: string;
}

function reject(code: ErrorCode, message: string, cause?: unknown): never {
  throw new SignatureError(code, message, { cause });
}

function parseAnswerSignature(response: HttpResponse): { input: InnerList; signature: Buffer } {
  const inputHeader = response.headers['signature-input'];
  const signatureHeader = response.headers.signature;
  let input: unknown;
  let signature: unknown;
  try {
    input = parseDictionary(inputHeader ?? '').get(RESPONSE_LABEL);
    const member = parseDictionary(signatureHeader ?? '').get(RESPONSE_LABEL);
    signature = member === undefined || isInnerList(member) ? undefined : member[0];
  } catch (cause) {
    reject('AGENT_RESPONSE_INVALID', 'the answer has signature headers that cannot be parsed', cause);
  }
  if (input === undefined && signature === undefined) {
    reject('AGENT_RESPONSE_UNSIGNED', `the answer carries no "${RESPONSE_LABEL}" signature`);
  }
  if (!Array.isArray(input) || !isInnerList(input as InnerList) || !(signature instanceof ArrayBuffer)) {
    reject('AGENT_RESPONSE_INVALID', `the answer's "${RESPONSE_LABEL}" signature is not well-formed`);
  }
  return { input: input as InnerList, signature: Buffer.from(signature) };
}

/**
 * Throws unless `response` is the agent's signed answer to `request` (sent with its own signature): covered as
 * the profile says, bound to this request (its nonce, then the request's signature inside the signed base),
 * signed by `key`, and its body matching its digest. Returns when the agent signed it by its own clock (`created`):
 * nothing bounds it here, since an agent whose clock is wrong must still be heard saying so.
 */
export function verifyResponse(
  response: HttpResponse,
  request: HttpRequest,
  key: AnswerKey,
): { created: Date } {
  const { input, signature } = parseAnswerSignature(response);
  const [components, params] = input;
  const covered = new Set(components.map((item) => serializeItem(item)));
  for (const component of RESPONSE_COMPONENTS) {
    if (covered.has(component)) continue;
    if (component.includes(';req')) {
      reject('AGENT_RESPONSE_UNBOUND', `the answer's signature does not cover the request's ${component}`);
    }
    reject('AGENT_RESPONSE_INVALID', `the answer's signature does not cover ${component}`);
  }
  const created = params.get('created');
  if (!Number.isInteger(created)) reject('AGENT_RESPONSE_INVALID', 'the answer carries no integer created');
  if (params.get('alg') !== ALGORITHM)
    reject('AGENT_RESPONSE_INVALID', `the answer is not signed with ${ALGORITHM}`);
  const keyId = params.get('keyid');
  if (keyId !== key.keyId) {
    reject('AGENT_RESPONSE_INVALID', `the answer is signed by key ${JSON.stringify(keyId)}, not the agent's`);
  }
  const nonce = requestSignature(request)?.nonce;
  if (nonce !== undefined && params.get('nonce') !== nonce) {
    reject('AGENT_RESPONSE_UNBOUND', 'the answer was signed for another request');
  }
  let base: string;
  try {
    base = signatureBase(request, input, response);
  } catch (cause) {
    reject('AGENT_RESPONSE_INVALID', 'the answer lacks a component its signature covers', cause);
  }
  if (!ed25519Verify(null, Buffer.from(base), key.publicKey, signature)) {
    reject('AGENT_RESPONSE_INVALID', "the answer's signature does not match the answer");
  }
  try {
    checkContentDigest(response.headers['content-digest'], response.body);
  } catch (cause) {
    reject('AGENT_RESPONSE_INVALID', 'the answer does not match its content-digest', cause);
  }
  return { created: new Date(Number(created) * 1000) };
}
