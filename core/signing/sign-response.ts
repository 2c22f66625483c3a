// Signing an answer: its content-digest, then an Ed25519 signature over its status, digest and type and over the
// request it answers (method, URI and the request's own signature, by RFC 9421 `;req`).
import { sign as ed25519Sign } from 'node:crypto';
import {
  type InnerList,
  isInnerList,
  parseDictionary,
  parseItem,
  serializeDictionary,
} from 'structured-headers';
import { contentDigest } from './content-digest.js';
import type { SigningKey } from './keys.js';
import type { SignatureHeaders } from './sign.js';
import {
  ALGORITHM,
  type HttpRequest,
  type HttpResponse,
  LABEL,
  RESPONSE_COMPONENTS,
  RESPONSE_LABEL,
  signatureBase,
} from './signature-base.js';

/** The request's own signature: present, and with the nonce its signature input gives, if any. */
export function requestSignature(request: HttpRequest): { nonce?: string } | undefined {
  try {
    const signature = parseDictionary(request.headers.signature ?? '').get(LABEL);
    if (signature === undefined || isInnerList(signature)) return undefined;
    const input = parseDictionary(request.headers['signature-input'] ?? '').get(LABEL);
    const nonce = input !== undefined && isInnerList(input) ? input[1].get('nonce') : undefined;
    return typeof nonce === 'string' ? { nonce } : {};
  } catch {
    return undefined;
  }
}

/**
 * The headers that sign `response` to `request` at `now` with `key` (the agent's: its id is its thumbprint), or
 * undefined when the request carries no signature to bind the answer to. The response must carry a
 * content-type. The request signature's nonce is repeated as the answer's, so a verifier can tell an answer
 * to another request from a forged one; the signature over the request's own signature is what binds them.
 */
export function signResponse(
  response: HttpResponse,
  request: HttpRequest,
  key: SigningKey,
  now: Date,
): SignatureHeaders | undefined {
  const bound = requestSignature(request);
  if (!bound) return undefined;
  const digest = contentDigest(response.body);
  const input: InnerList = [
    RESPONSE_COMPONENTS.map((component) => parseItem(component)),
    new Map<string, string | number>([
      ['created', Math.floor(now.getTime() / 1000)],
      ...(bound.nonce === undefined ? [] : [['nonce', bound.nonce] as [string, string]]),
      ['keyid', key.id],
      ['alg', ALGORITHM],
    ]),
  ];
  const signed = { ...response, headers: { ...response.headers, 'content-digest': digest } };
  const signature = ed25519Sign(null, Buffer.from(signatureBase(request, input, signed)), key.privateKey);
  return {
    'content-digest': digest,
    'signature-input': serializeDictionary(new Map([[RESPONSE_LABEL, input]])),
    signature: serializeDictionary(new Map([[RESPONSE_LABEL, [signature, new Map()]]])),
  };
}
